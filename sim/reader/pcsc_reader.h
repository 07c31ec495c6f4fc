// CardReader over PC/SC (libpcsclite): a physical card, or our virtual UICC
// served through pcscd + vpcd. Errors carry pcsc_stringify_error's text and
// what to do about it.
#pragma once

#include <winscard.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/reader/card_reader.h"

namespace omaiop::sim::reader {

// "Virtual PCD 00 00": slot 0 of vsmartcard's vpcd (port 35963).
inline constexpr std::string_view kVpcdReaderSlot0 = "Virtual PCD 00 00";

// Reader names pcscd knows, or an error (pcscd not running, ...).
codec::Result<std::vector<std::string>> ListPcscReaders();

class PcscReader : public CardReader {
 public:
  // `selector`: a substring of the reader name, or a decimal index into
  // ListPcscReaders(); empty = the first reader.
  static codec::Result<std::unique_ptr<PcscReader>> Open(
      const std::string& selector);
  ~PcscReader() override;

  std::string name() const override { return name_; }
  bool CardPresent() override;
  codec::Result<codec::Bytes> Connect() override;
  void Disconnect() override;
  codec::Result<codec::Bytes> Transmit(codec::ByteView command) override;
  codec::Result<bool> WaitForChange(std::chrono::milliseconds timeout) override;

  // The protocol negotiated by Connect() (SCARD_PROTOCOL_T0 / T1), 0 if none.
  DWORD active_protocol() const { return protocol_; }

 private:
  PcscReader(SCARDCONTEXT ctx, std::string name);
  codec::Result<DWORD> ReaderState();

  SCARDCONTEXT ctx_;
  std::string name_;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
  DWORD last_state_ = SCARD_STATE_UNAWARE;
};

// "SCardConnect: Card was removed. (0x80100069)" style text plus the hint.
std::string PcscErrorText(const char* call, LONG rv);

}  // namespace omaiop::sim::reader
