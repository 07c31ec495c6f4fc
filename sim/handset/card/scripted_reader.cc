#include "sim/handset/card/scripted_reader.h"

#include <algorithm>

#include "sim/handset/card/card_session.h"
#include "sim/handset/card/provsc.h"

namespace omaiop::sim::handset::card {

using codec::Bytes;
using codec::ByteView;
using codec::Error;
using codec::Result;

ScriptedReader::ScriptedReader(ByteView script) : script_(script) {
  if (!script_.empty()) {
    const std::size_t n = std::min<std::size_t>(script_[0], script_.size() - 1);
    atr_.assign(script_.begin() + 1, script_.begin() + 1 + n);
    pos_ = 1 + n;
  }
}

Bytes ScriptedReader::Encode(ByteView atr, std::span<const Bytes> responses) {
  const std::size_t n = std::min<std::size_t>(atr.size(), 255);
  Bytes out(1 + n);
  out[0] = static_cast<std::uint8_t>(n);
  std::copy_n(atr.begin(), n, out.begin() + 1);
  for (const Bytes& r : responses) {
    const std::size_t len = std::min<std::size_t>(r.size(), 0xFFFF);
    const std::size_t at = out.size();
    out.resize(at + 2 + len);
    out[at] = static_cast<std::uint8_t>(len >> 8);
    out[at + 1] = static_cast<std::uint8_t>(len);
    std::copy_n(r.begin(), len, out.begin() + static_cast<long>(at + 2));
  }
  return out;
}

bool ScriptedReader::CardPresent() { return !atr_.empty(); }

Result<Bytes> ScriptedReader::Connect() {
  if (atr_.empty()) return Error("no card in the scripted reader", 0, "PC/SC");
  connected_ = true;
  return atr_;
}

Result<Bytes> ScriptedReader::Transmit(ByteView) {
  if (!connected_) return Error("not connected", 0, "PC/SC");
  ++commands_;
  if (script_.size() - pos_ < 2) return Error("card removed", pos_, "PC/SC");
  const std::size_t len =
      static_cast<std::size_t>(script_[pos_] << 8 | script_[pos_ + 1]);
  pos_ += 2;
  const std::size_t n = std::min(len, script_.size() - pos_);
  Bytes r(script_.begin() + pos_, script_.begin() + pos_ + n);
  pos_ += n;
  return r;
}

Result<bool> ScriptedReader::WaitForChange(std::chrono::milliseconds) {
  return CardPresent();
}

Result<Bytes> RecordingReader::Connect() {
  auto r = inner_.Connect();
  if (r.ok()) {
    atr_ = *r;
    responses_.clear();
  }
  return r;
}

Result<Bytes> RecordingReader::Transmit(ByteView command) {
  auto r = inner_.Transmit(command);
  if (r.ok()) responses_.push_back(*r);
  return r;
}

Result<ProvScDocuments> DriveFullSession(reader::CardReader& reader,
                                         std::uint8_t option_byte) {
  CardSessionOptions o;
  if (option_byte & 0x01) o.pin1 = "1234";
  o.prefer_gsm_class = option_byte & 0x02;
  o.read_chunk = kFuzzChunks[option_byte >> 4];
  CardSession session(reader, o);
  OMAIOP_RETURN_IF_ERROR(session.Open());
  (void)session.ReadImsi();
  ProvScReader provsc(session);
  auto docs = provsc.ReadAll();
  if (option_byte & 0x04) {
    // <wap-provisioningdoc/> in PROV WBXML (version 1.3, public id 0x0B,
    // UTF-8, empty string table, tag 0x05 without content).
    const std::uint8_t doc[] = {0x03, 0x0B, 0x6A, 0x00, 0x05};
    (void)provsc.WriteConfig2(ByteView(doc, sizeof doc), "1234");
  }
  (void)session.Pin1TriesLeft();
  return docs;
}

}  // namespace omaiop::sim::handset::card
