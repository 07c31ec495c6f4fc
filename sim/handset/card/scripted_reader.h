// A CardReader that replays canned card answers instead of talking to a card:
// the fuzz target (card_session_fuzz.cc) feeds it from the fuzz input, and the
// tests record a real (virtual) card's answers into the same format, which is
// how the seed corpus fixtures/corpus/card_session_fuzz/ is made.
//
// Script format: u8 ATR length (0 = no card), the ATR, then per command
// { u16 big-endian response length, response bytes (data || SW1 SW2) }.
// Commands are not checked: whatever the handset sends gets the next answer.
// When the script runs out, Transmit fails (a transport error).
#pragma once

#include <span>
#include <string>

#include "codec/bytes.h"
#include "codec/result.h"
#include "sim/reader/card_reader.h"

namespace omaiop::sim::handset::card {

class ScriptedReader : public reader::CardReader {
 public:
  explicit ScriptedReader(codec::ByteView script);

  static codec::Bytes Encode(codec::ByteView atr,
                             std::span<const codec::Bytes> responses);

  std::string name() const override { return "scripted"; }
  bool CardPresent() override;
  codec::Result<codec::Bytes> Connect() override;
  void Disconnect() override { connected_ = false; }
  codec::Result<codec::Bytes> Transmit(codec::ByteView command) override;
  codec::Result<bool> WaitForChange(std::chrono::milliseconds) override;

  std::size_t commands() const { return commands_; }

 private:
  codec::ByteView script_;
  std::size_t pos_ = 0;
  codec::Bytes atr_;
  bool connected_ = false;
  std::size_t commands_ = 0;
};

// Wraps another reader and keeps its ATR and every response, to build a
// script that replays this session.
class RecordingReader : public reader::CardReader {
 public:
  explicit RecordingReader(reader::CardReader& inner) : inner_(inner) {}

  codec::Bytes Script() const {
    return ScriptedReader::Encode(atr_, responses_);
  }

  std::string name() const override { return inner_.name(); }
  bool CardPresent() override { return inner_.CardPresent(); }
  codec::Result<codec::Bytes> Connect() override;
  void Disconnect() override { inner_.Disconnect(); }
  codec::Result<codec::Bytes> Transmit(codec::ByteView command) override;
  codec::Result<bool> WaitForChange(std::chrono::milliseconds t) override {
    return inner_.WaitForChange(t);
  }

 private:
  reader::CardReader& inner_;
  codec::Bytes atr_;
  std::vector<codec::Bytes> responses_;
};

// The sequence the fuzz target runs and its seed recorder replays: Open,
// ReadImsi, ProvScReader::ReadAll, optionally WriteConfig2 of a tiny PROV
// document, Pin1TriesLeft. `option_byte`: b0 = PIN1 "1234" given, b1 =
// prefer CLA A0, b2 = write Config2, b7..b4 = READ BINARY chunk size index
// (kFuzzChunks). Returns the documents ReadAll returned, or the first error of
// Open/ReadAll.
inline constexpr std::size_t kFuzzChunks[16] = {
    256, 255, 128, 64, 17, 1, 200, 32, 8, 100, 250, 3, 16, 48, 96, 160};
struct ProvScDocuments;
codec::Result<ProvScDocuments> DriveFullSession(reader::CardReader& reader,
                                                std::uint8_t option_byte);

}  // namespace omaiop::sim::handset::card
