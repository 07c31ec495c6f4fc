#include "sim/smsc/push_collector.h"

#include <algorithm>
#include <optional>

#include "codec/sms_udh.h"

namespace omaiop::sim::smsc {

std::vector<codec::Bytes> ArrivedPush::user_data() const {
  std::vector<codec::Bytes> out;
  for (const auto& s : segments) out.push_back(s.user_data);
  return out;
}

std::vector<std::string> ArrivedPush::message_ids() const {
  std::vector<std::string> out;
  for (const auto& s : segments)
    if (std::find(out.begin(), out.end(), s.message_id) == out.end())
      out.push_back(s.message_id);
  return out;
}

void PushCollector::Add(const SmscSegment& segment) {
  ArrivedPush single{segment.source_addr,
                     segment.destination_addr,
                     segment.esme_system_id,
                     {segment},
                     true};
  std::optional<ArrivedPush> done, evicted;
  auto ud = codec::ParseSmsUserData(segment.user_data, 0, segment.udhi);
  if (!ud.ok() || !ud->concat || ud->concat->total == 0 ||
      ud->concat->seq == 0 || ud->concat->seq > ud->concat->total) {
    // Nothing to wait for: the decoder reports what is wrong with it.
    done = std::move(single);
  } else {
    std::lock_guard lock(mu_);
    const Key key{segment.source_addr, segment.destination_addr,
                  ud->concat->ref16, ud->concat->reference, ud->concat->total};
    auto [it, fresh] = pending_.try_emplace(key);
    if (fresh) {
      it->second.order = next_order_++;
      it->second.push = single;
      it->second.push.segments.clear();
    }
    it->second.push.segments.push_back(segment);
    it->second.seqs.insert(ud->concat->seq);
    const bool complete = it->second.seqs.size() == ud->concat->total;
    if (complete || it->second.push.segments.size() >= kMaxSegments) {
      done = std::move(it->second.push);
      done->complete = complete;
      pending_.erase(it);
    } else if (pending_.size() > kMaxPending) {
      auto oldest = std::min_element(pending_.begin(), pending_.end(),
                                     [](const auto& a, const auto& b) {
                                       return a.second.order < b.second.order;
                                     });
      evicted = std::move(oldest->second.push);
      evicted->complete = false;
      pending_.erase(oldest);
    }
  }
  if (evicted && callback_) callback_(*evicted);
  if (done && callback_) callback_(*done);
}

void PushCollector::Flush() {
  std::vector<Pending> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, p] : pending_) all.push_back(std::move(p));
    pending_.clear();
  }
  std::sort(all.begin(), all.end(), [](const Pending& a, const Pending& b) {
    return a.order < b.order;
  });
  for (auto& p : all) {
    p.push.complete = false;
    if (callback_) callback_(p.push);
  }
}

std::size_t PushCollector::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace omaiop::sim::smsc
