// A card reader whose slot holds a sim::uicc::Card of the same process: the
// fast path for tests and for `omaiop` runs that need no pcscd. Hot-plug is
// explicit (Insert/Remove, from any thread); WaitForChange wakes on either.
// All calls are serialised by one mutex, so a Card (not thread-safe itself)
// may be driven from several threads through the reader.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "sim/reader/card_reader.h"
#include "sim/uicc/apdu_engine.h"

namespace omaiop::sim::reader {

class InProcessReader : public CardReader {
 public:
  explicit InProcessReader(std::string name = "in-process");

  // Puts `card` into the slot (replacing any card there: as if that one was
  // pulled first). The reader is then not connected; call Connect().
  void Insert(std::shared_ptr<uicc::Card> card);
  // Empties the slot; a connection is dropped.
  void Remove();
  // The card in the slot, or null (e.g. to inspect it in a test).
  std::shared_ptr<uicc::Card> card() const;

  std::string name() const override { return name_; }
  bool CardPresent() override;
  // Power-on: resets the card (TS 102 221 §6.2: channels closed, PIN
  // verifications forgotten) and returns its ATR.
  codec::Result<codec::Bytes> Connect() override;
  void Disconnect() override;
  // Fails without a card or before Connect() (as PC/SC does); otherwise the
  // card's response, status words included.
  codec::Result<codec::Bytes> Transmit(codec::ByteView command) override;
  // Returns at once if the slot changed since the previous call returned
  // (so an insertion between two calls is never lost), else waits up to
  // `timeout` for Insert/Remove. The result is the presence afterwards.
  codec::Result<bool> WaitForChange(std::chrono::milliseconds timeout) override;

 private:
  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::shared_ptr<uicc::Card> card_;
  bool connected_ = false;
  std::uint64_t events_ = 0;  // Insert/Remove count
  std::uint64_t seen_ = 0;    // events_ when WaitForChange last returned
};

}  // namespace omaiop::sim::reader
