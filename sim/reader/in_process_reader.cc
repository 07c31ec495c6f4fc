#include "sim/reader/in_process_reader.h"

#include <utility>

namespace omaiop::sim::reader {
namespace {
constexpr char kRule[] = "PC/SC Part 5 (SCardConnect before SCardTransmit)";
}  // namespace

InProcessReader::InProcessReader(std::string name) : name_(std::move(name)) {}

void InProcessReader::Insert(std::shared_ptr<uicc::Card> card) {
  {
    std::lock_guard lock(mu_);
    card_ = std::move(card);
    connected_ = false;
    ++events_;
  }
  changed_.notify_all();
}

void InProcessReader::Remove() {
  {
    std::lock_guard lock(mu_);
    card_.reset();
    connected_ = false;
    ++events_;
  }
  changed_.notify_all();
}

std::shared_ptr<uicc::Card> InProcessReader::card() const {
  std::lock_guard lock(mu_);
  return card_;
}

bool InProcessReader::CardPresent() {
  std::lock_guard lock(mu_);
  return card_ != nullptr;
}

codec::Result<codec::Bytes> InProcessReader::Connect() {
  std::lock_guard lock(mu_);
  if (!card_)
    return codec::PathError("no card in the reader: Insert() one first", name_,
                            kRule);
  card_->Reset();
  connected_ = true;
  const codec::ByteView atr = uicc::Card::Atr();
  return codec::Bytes(atr.begin(), atr.end());
}

void InProcessReader::Disconnect() {
  std::lock_guard lock(mu_);
  connected_ = false;
}

codec::Result<codec::Bytes> InProcessReader::Transmit(codec::ByteView command) {
  std::lock_guard lock(mu_);
  if (!card_)
    return codec::PathError(
        "no card in the reader (removed, or never inserted)", name_, kRule);
  if (!connected_)
    return codec::PathError("card not powered: call Connect() first", name_,
                            kRule);
  return card_->Transmit(command);
}

codec::Result<bool> InProcessReader::WaitForChange(
    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return events_ != seen_; });
  seen_ = events_;
  return card_ != nullptr;
}

}  // namespace omaiop::sim::reader
