#include "sim/handset/cp/trace.h"

namespace omaiop::sim::handset::cp {

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kAccepted:
      return "accepted";
    case EventKind::kRejected:
      return "rejected";
    case EventKind::kStructureError:
      return "structure_error";
    case EventKind::kParmIgnored:
      return "parm_ignored";
    case EventKind::kDuplicateIgnored:
      return "duplicate_ignored";
    case EventKind::kValueInvalid:
      return "value_invalid";
    case EventKind::kCharacteristicDropped:
      return "characteristic_dropped";
    case EventKind::kDuplicateRemoved:
      return "duplicate_removed";
    case EventKind::kDuplicateMerged:
      return "duplicate_merged";
    case EventKind::kReferenceDropped:
      return "reference_dropped";
    case EventKind::kDefaultApplied:
      return "default_applied";
    case EventKind::kContextCreated:
      return "context_created";
    case EventKind::kContextRejected:
      return "context_rejected";
    case EventKind::kSourceTrusted:
      return "source_trusted";
    case EventKind::kSourceUntrusted:
      return "source_untrusted";
    case EventKind::kItemAdded:
      return "item_added";
    case EventKind::kItemReplaced:
      return "item_replaced";
    case EventKind::kItemRejected:
      return "item_rejected";
    case EventKind::kItemRemoved:
      return "item_removed";
    case EventKind::kSegmentMalformed:
      return "segment_malformed";
    case EventKind::kSegmentBuffered:
      return "segment_buffered";
    case EventKind::kSegmentDuplicate:
      return "segment_duplicate";
    case EventKind::kDatagramReassembled:
      return "datagram_reassembled";
    case EventKind::kDatagramIncomplete:
      return "datagram_incomplete";
    case EventKind::kPortIgnored:
      return "port_ignored";
    case EventKind::kWspMalformed:
      return "wsp_malformed";
    case EventKind::kPduTypeRejected:
      return "pdu_type_rejected";
    case EventKind::kContentTypeRejected:
      return "content_type_rejected";
    case EventKind::kSecRejected:
      return "sec_rejected";
    case EventKind::kSecAbsent:
      return "sec_absent";
    case EventKind::kImsiUnavailable:
      return "imsi_unavailable";
    case EventKind::kMacVerified:
      return "mac_verified";
    case EventKind::kMacMismatch:
      return "mac_mismatch";
    case EventKind::kMacMalformed:
      return "mac_malformed";
    case EventKind::kPinRequested:
      return "pin_requested";
    case EventKind::kPinRejected:
      return "pin_rejected";
    case EventKind::kPinLimitReached:
      return "pin_limit_reached";
    case EventKind::kPinCancelled:
      return "pin_cancelled";
    case EventKind::kWbxmlRejected:
      return "wbxml_rejected";
    case EventKind::kWbxmlTokenIgnored:
      return "wbxml_token_ignored";
    case EventKind::kBootstrapUnauthenticated:
      return "bootstrap_unauthenticated";
    case EventKind::kCardPrecedence:
      return "card_precedence";
    case EventKind::kFetchRejected:
      return "fetch_rejected";
    case EventKind::kIntakeAccepted:
      return "intake_accepted";
    case EventKind::kIntakeRejected:
      return "intake_rejected";
    case EventKind::kDmNotification:
      return "dm_notification";
    case EventKind::kOriginRemoved:
      return "origin_removed";
  }
  return "unknown";
}

std::string CpEvent::ToString() const {
  std::string s(EventKindName(kind));
  s += ' ';
  s += path;
  if (!detail.empty()) s += ": " + detail;
  if (!rule.empty()) s += " [" + rule + "]";
  return s;
}

void EventSink::Add(EventKind kind, std::string rule, std::string path,
                    std::string detail) {
  events_.push_back(
      CpEvent{kind, std::move(rule), std::move(path), std::move(detail)});
}

std::size_t EventSink::Count(EventKind kind) const {
  std::size_t n = 0;
  for (const auto& e : events_) n += e.kind == kind;
  return n;
}

std::vector<CpEvent> EventSink::Find(EventKind kind,
                                     std::string_view path_part) const {
  std::vector<CpEvent> out;
  for (const auto& e : events_)
    if (e.kind == kind && e.path.find(path_part) != std::string::npos)
      out.push_back(e);
  return out;
}

std::string EventSink::ToString() const {
  std::string s;
  for (const auto& e : events_) s += e.ToString() + "\n";
  return s;
}

}  // namespace omaiop::sim::handset::cp
