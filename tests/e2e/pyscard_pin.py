#!/usr/bin/python3
"""pyscard (a third-party PC/SC client) against omaiop's served UICC.

usage: pyscard_pin.py READER SERVE_PID

Checks PIN1 verification (TS 102 221 §11.1.9), a PIN1-protected read, the
PIN blocking after three wrong tries and UNBLOCK PIN with the PUK (§11.1.13),
then hot-plug: sends SIGUSR1 to `omaiop uicc serve` (toggles removal) and
waits for PC/SC to report the removal and the re-insertion, after which the
PIN is no longer verified. Exits 0 on success, 1 with a message otherwise.
"""
import os
import signal
import sys
import time

from smartcard.System import readers
from smartcard import scard

PIN1 = [0x31, 0x32, 0x33, 0x34, 0xFF, 0xFF, 0xFF, 0xFF]  # "1234" FF-padded
WRONG = [0x39, 0x39, 0x39, 0x39, 0xFF, 0xFF, 0xFF, 0xFF]
PUK1 = list(b"12345678")
IMSI = [0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98]
SELECT_IMSI = [0x00, 0xA4, 0x08, 0x0C, 0x04, 0x7F, 0x20, 0x6F, 0x07]
READ_IMSI = [0x00, 0xB0, 0x00, 0x00, 0x09]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def expect(conn, apdu, sw, data=None, what=""):
    got, sw1, sw2 = conn.transmit(apdu)
    if (sw1 << 8 | sw2) != sw:
        fail("%s: SW %02X%02X, expected %04X" % (what, sw1, sw2, sw))
    if data is not None and got != data:
        fail("%s: data %s, expected %s" % (what, bytes(got).hex(), bytes(data).hex()))
    print("ok: %s -> %04X" % (what, sw))


def connect(name):
    for r in readers():
        if name in str(r):
            conn = r.createConnection()
            conn.connect()
            return conn
    fail("no reader named %r (readers: %s)" % (name, readers()))


def wait_state(name, want_present, timeout_s=10):
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        fail("SCardEstablishContext: " + scard.SCardGetErrorMessage(hresult))
    reader = [r for r in scard.SCardListReaders(ctx, [])[1] if name in r][0]
    state = scard.SCARD_STATE_UNAWARE
    deadline = time.time() + timeout_s
    try:
        while time.time() < deadline:
            hresult, states = scard.SCardGetStatusChange(
                ctx, 500, [(reader, state)])
            if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
                fail("SCardGetStatusChange: " + scard.SCardGetErrorMessage(hresult))
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            present = bool(state & scard.SCARD_STATE_PRESENT)
            if present == want_present:
                return
    finally:
        scard.SCardReleaseContext(ctx)
    fail("card %s not seen within %d s" %
         ("insertion" if want_present else "removal", timeout_s))


def main():
    name, serve_pid = sys.argv[1], int(sys.argv[2])
    conn = connect(name)
    expect(conn, SELECT_IMSI, 0x9000, what="SELECT DF.GSM/EF.IMSI")
    expect(conn, READ_IMSI, 0x6982, what="READ BINARY before VERIFY")
    expect(conn, [0x00, 0x20, 0x00, 0x01, 0x08] + PIN1, 0x9000, what="VERIFY PIN1")
    expect(conn, READ_IMSI, 0x9000, IMSI, what="READ BINARY EF.IMSI")
    # TS 102 221 §11.1.9: 63CX with X tries left (63C0 on the last one);
    # afterwards the PIN is blocked (6983).
    for left, sw in ((2, 0x63C2), (1, 0x63C1), (0, 0x63C0)):
        expect(conn, [0x00, 0x20, 0x00, 0x01, 0x08] + WRONG, sw,
               what="wrong PIN1 (%d tries left)" % left)
    expect(conn, [0x00, 0x20, 0x00, 0x01, 0x08] + PIN1, 0x6983,
           what="right PIN1 while blocked")
    expect(conn, [0x00, 0x2C, 0x00, 0x01, 0x10] + PUK1 + PIN1, 0x9000,
           what="UNBLOCK PIN1 with PUK")
    expect(conn, [0x00, 0x20, 0x00, 0x01, 0x08] + PIN1, 0x9000,
           what="VERIFY PIN1 after unblock")
    expect(conn, SELECT_IMSI, 0x9000, what="SELECT EF.IMSI again")
    expect(conn, READ_IMSI, 0x9000, IMSI, what="READ BINARY after unblock")
    conn.disconnect()

    os.kill(serve_pid, signal.SIGUSR1)  # omaiop uicc serve: remove
    wait_state(name, False)
    print("ok: removal seen")
    os.kill(serve_pid, signal.SIGUSR1)  # insert
    wait_state(name, True)
    print("ok: insertion seen")
    conn = connect(name)
    expect(conn, SELECT_IMSI, 0x9000, what="SELECT EF.IMSI after re-insertion")
    expect(conn, READ_IMSI, 0x6982,
           what="READ BINARY after re-insertion (PIN no longer verified)")
    conn.disconnect()
    print("PASS")


if __name__ == "__main__":
    main()
