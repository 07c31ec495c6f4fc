// Regroups the SMS segments an SMSC delivers into pushes: segments of one
// concatenated message (same source, destination and TS 23.040 §9.2.3.24.1 /
// .8 reference and total) are held until every sequence number 1..total has
// arrived; a segment without concatenation IE (or with an unparsable UDH) is
// a push on its own. Used by `omaiop smsc serve` to hand each complete push to
// the decoder and the handset verdict.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/smsc/smpp_smsc.h"

namespace omaiop::sim::smsc {

struct ArrivedPush {
  std::string source_addr;
  std::string destination_addr;
  std::string esme_system_id;
  std::vector<SmscSegment> segments;  // in arrival order, duplicates kept
  bool complete = true;  // false: flushed while segments were missing

  std::vector<codec::Bytes> user_data() const;
  std::vector<std::string> message_ids() const;  // distinct, in order
};

class PushCollector {
 public:
  // Bounds against a hostile ESME: beyond kMaxPending incomplete pushes the
  // oldest is handed over incomplete; a push that collects kMaxSegments
  // segments (duplicates) without completing is handed over as it is.
  static constexpr std::size_t kMaxPending = 256;
  static constexpr std::size_t kMaxSegments = 512;
  using Callback = std::function<void(const ArrivedPush&)>;
  explicit PushCollector(Callback callback) : callback_(std::move(callback)) {}

  // Thread-safe; calls the callback (outside the lock) when a push completes.
  void Add(const SmscSegment& segment);
  // Hands over every incomplete push (complete = false), oldest first.
  void Flush();
  std::size_t pending() const;
  // A SegmentSink feeding Add (the collector must outlive the SMSC's use).
  SegmentSink AsSink() {
    return [this](const SmscSegment& s) { Add(s); };
  }

 private:
  // source, destination, ref16, reference, total
  using Key =
      std::tuple<std::string, std::string, bool, std::uint16_t, std::uint8_t>;
  struct Pending {
    std::uint64_t order;
    ArrivedPush push;
    std::set<std::uint8_t> seqs;
  };
  Callback callback_;
  mutable std::mutex mu_;
  std::map<Key, Pending> pending_;
  std::uint64_t next_order_ = 0;
};

}  // namespace omaiop::sim::smsc
