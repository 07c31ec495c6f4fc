// How a handset reaches a card: one interface, two implementations — the
// in-process reader (a sim::uicc::Card behind a virtual slot, what the fast
// tests use) and the PC/SC reader (libpcsclite: a real card, or our virtual
// card served through pcscd + vpcd). The handset code is the same for both.
#pragma once

#include <chrono>
#include <string>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::sim::reader {

class CardReader {
 public:
  virtual ~CardReader() = default;

  // Reader name as the user sees it ("in-process", "Virtual PCD 00 00").
  virtual std::string name() const = 0;
  virtual bool CardPresent() = 0;
  // Powers up / connects to the card; returns its ATR. Fails if no card.
  virtual codec::Result<codec::Bytes> Connect() = 0;
  virtual void Disconnect() = 0;
  // Sends a command APDU; returns the response APDU (data + SW1 SW2).
  // Fails (not an SW) when the card is absent or the transport broke.
  virtual codec::Result<codec::Bytes> Transmit(codec::ByteView command) = 0;
  // Waits up to `timeout` for card insertion or removal; returns whether a
  // card is present afterwards.
  virtual codec::Result<bool> WaitForChange(
      std::chrono::milliseconds timeout) = 0;
};

}  // namespace omaiop::sim::reader
