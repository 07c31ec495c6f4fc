// omaiop's simulated handset as a test-case peer, shared by the adapters in
// which omaiop plays (or stands beside) the handset: `simulated` (omaiop's
// simulated push server delivers in-process) and `smpp_push_server` (a real
// push server's SMS arrive through omaiop's SMSC). It owns the CP client
// (sim/handset/cp CpClient), the virtual UICC in an in-process reader, the
// user's queued answers and the outcomes, and records every APDU, SMS
// segment, PIN prompt and decision as a TraceEntry.
//
// Handset options (<preconditions><handset><option>):
//   pin1            PIN1 the handset presents to read the IMSI (card's "1234")
//   provsc          "true": read ProvSC documents at power-on / card insert
//                   (default false: every shipped profile carries a ProvSC
//                   bootstrap, which would take precedence over OTA ones)
//   unauthenticated "reject" | "accept-untrusted" (CpClientOptions)
//   max_pin_attempts  integer
//   card_bootstrap_precedence  "true" | "false"
//
// User steps: the handset asks the user only for the PIN, during delivery;
// the adapters therefore deliver pushes lazily, at the first step after the
// push that is not a user step, with the PINs queued by <user-pin>.
// <user-reject> = the user cancels the PIN prompt (push discarded).
// <user-pin pin="@out-of-band"/> enters the PIN the push server handed out
// (Delivery::out_of_band_pin).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "harness/adapters/adapter.h"
#include "harness/adapters/common/handset_judge.h"
#include "harness/script/testcase.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/cp/cp_client.h"
#include "sim/reader/in_process_reader.h"

namespace omaiop::harness::adapters {

class SimulatedHandset {
 public:
  // `adapter` names the adapter in "not supported by adapter X" reasons.
  SimulatedHandset(const script::TestCase& tc, std::shared_ptr<Recorder> rec,
                   std::string adapter);
  SimulatedHandset(const SimulatedHandset&) = delete;
  SimulatedHandset& operator=(const SimulatedHandset&) = delete;

  // Handset options, card precondition (inserted and powered on).
  codec::Status Setup();

  // The IMSI read from the card in the handset (APDUs recorded).
  codec::Result<std::string> ReadImsi();

  struct Delivery {
    std::vector<codec::Bytes> segments;  // TP-UD octets, UDH included
    std::string from = "+15550199", to = "+15550100";
    // The WSP PDU the segments carry and the trace entry that shows it (for
    // highlights: MAC, decoder offsets); npos = none recorded.
    codec::Bytes wsp_pdu;
    std::string mac;
    std::size_t wsp_entry = static_cast<std::size_t>(-1);
    std::optional<std::string> out_of_band_pin;
    bool record_segments = true;  // false: the caller recorded them
    std::string segment_source = reports::source::kServer;
  };
  // Hands the segments to the CP client with the queued user answers (then
  // clears them); records segments, prompts, decisions, highlights.
  // Returns the number of outcomes it produced.
  std::size_t Deliver(const Delivery& d);
  // A PIN the user will enter at the next prompt (as <user-pin> queues).
  void QueuePin(std::string pin) { pins_.push_back(std::move(pin)); }

  // Runs the handset-side steps: card-insert, card-remove, power-cycle,
  // user-pin, user-accept, user-reject, expect-event, expect-status,
  // check-setting, check-card-file, wait. nullopt for the other step types
  // (push, wait-sms, DM): the adapter's own.
  std::optional<StepOutcome> Execute(const script::Step& step);

  // <wait-sms>: did at least w.count datagrams (to w.port, if given) reach
  // the handset since outcomes()[before]? `note` is appended to a failure.
  StepOutcome JudgeWaitSms(const script::WaitSmsStep& w, std::size_t before,
                           const std::string& note = {}) const;
  // Datagrams to w.port (any port if unset) since outcomes()[before].
  std::size_t CountDatagrams(const script::WaitSmsStep& w,
                             std::size_t before) const;
  const std::vector<sim::handset::cp::PushOutcome>& outcomes() const {
    return outcomes_;
  }
  std::vector<ObservedOutcome> Observed() const;
  sim::handset::cp::CpClient& client() { return *client_; }
  std::string Option(std::string_view name, std::string def = {}) const;

 private:
  codec::Result<std::shared_ptr<sim::uicc::Card>> MakeCard(
      const std::string& profile);
  void OnApdu(const sim::handset::card::ApduExchange& x);
  sim::handset::card::CardSessionOptions SessionOptions();
  void PowerOnCard();
  void RemoveCard();
  void User(std::string what);
  StepOutcome DoCheckCardFile(const script::CheckCardFileStep& c);

  script::TestCase tc_;
  std::shared_ptr<Recorder> rec_;
  std::string adapter_;
  sim::reader::InProcessReader reader_{"simulated handset"};
  std::unique_ptr<sim::handset::cp::CpClient> client_;
  std::string card_profile_;    // last inserted
  bool edits_applied_ = false;  // the preconditions' card edits, once
  std::string iccid_;
  std::deque<std::string> pins_;
  bool user_rejects_ = false;
  std::vector<sim::handset::cp::PushOutcome> outcomes_;
};

}  // namespace omaiop::harness::adapters
