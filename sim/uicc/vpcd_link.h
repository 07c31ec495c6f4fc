// The virtual card as a TCP client of vsmartcard's vpcd driver inside pcscd
// (uicc.md §1): real PC/SC software then sees it in reader "Virtual PCD 00
// 00" (port 35963) like a physical card.
//
// Wire protocol (vpcd.h, virtualsmartcard 0.8): every message in both
// directions is [len_hi len_lo][payload]. From vpcd, len 1 is a control byte
// (00 power off, 01 power on, 02 reset: no reply; 04 GET ATR: reply with the
// ATR), len > 1 a command APDU answered with one framed response APDU.
//
// Speed (uicc.md §2): Debian 12's vpcd writes header and payload in two
// send()s without TCP_NODELAY, so every APDU stalls ~40 ms on the card's
// delayed ACK unless the card re-arms TCP_QUICKACK before every recv().
// Replies go out in one send() with TCP_NODELAY for the same reason.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::sim::uicc {

class Card;

inline constexpr std::uint16_t kVpcdDefaultPort = 35963;  // 0x8C7B, slot 0

// vpcd control bytes (vpcd.h VPCD_CTRL_*). There is no 0x03.
inline constexpr std::uint8_t kVpcdPowerOff = 0x00;
inline constexpr std::uint8_t kVpcdPowerOn = 0x01;
inline constexpr std::uint8_t kVpcdReset = 0x02;
inline constexpr std::uint8_t kVpcdGetAtr = 0x04;

// What the link serves: any card-like object. Card adapts through ForCard();
// the transport benchmark uses NullCard() (answers 9000 at once) to measure
// the pcscd + vpcd ceiling with the same link code.
struct VpcdCard {
  std::function<codec::Bytes(codec::ByteView)> transmit;
  std::function<void()> reset;  // power off / on / reset
  codec::Bytes atr;

  // `card` must outlive the link; it is only touched from the link thread.
  static VpcdCard ForCard(Card& card);
  static VpcdCard NullCard();
};

struct VpcdLinkOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = kVpcdDefaultPort;
  // Reconnect back-off while pcscd is not up (doubles up to the max).
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{1000};
  // Re-arm TCP_QUICKACK before every read. Only the benchmark turns it off,
  // to show the ~21 APDU/s stall of Debian 12's vpcd without it.
  bool quick_ack = true;
};

struct VpcdEvent {
  enum class Kind {
    kConnected,     // TCP link up: pcscd sees a card inserted
    kDisconnected,  // link dropped (pcscd went away, Remove(), Stop())
    kPowerOff,
    kPowerOn,
    kReset,
  };
  Kind kind;
  std::string detail;  // e.g. the peer address or why the link dropped
};
std::string_view VpcdEventName(VpcdEvent::Kind kind);

struct VpcdStats {
  std::uint64_t connects = 0;
  std::uint64_t apdus = 0;
  std::uint64_t atr_requests = 0;
  std::uint64_t power_offs = 0;
  std::uint64_t power_ons = 0;
  std::uint64_t resets = 0;
};

// Frames a payload for the vpcd wire: 2-byte big-endian length || payload.
// Payloads above 0xFFFF cannot be framed (vpcd's limit) and are an error.
codec::Result<codec::Bytes> FrameVpcd(codec::ByteView payload);

class VpcdLink {
 public:
  VpcdLink(VpcdCard card, VpcdLinkOptions options = {});
  ~VpcdLink();
  VpcdLink(const VpcdLink&) = delete;
  VpcdLink& operator=(const VpcdLink&) = delete;

  // Called on the link thread for every connect/disconnect/power event.
  void set_event_handler(std::function<void(const VpcdEvent&)> handler);

  // Serves until Stop(): connects (retrying with back-off), answers vpcd,
  // reconnects when the socket closes. Run it on its own thread.
  void Run();

  // Thread-safe; each wakes Run() at once.
  void Stop();    // Run() returns after closing the link
  void Remove();  // drop the link and stay away: pcscd sees a removal
  void Insert();  // reconnect: pcscd sees an insertion
  bool inserted() const { return inserted_.load(); }
  bool connected() const { return connected_.load(); }

  VpcdStats stats() const;

 private:
  enum class Wait { kReady, kWoken, kTimeout };
  Wait WaitReadable(int fd, int timeout_ms);
  void DrainWake();
  void Wake();
  int Connect(std::string* error);
  // Serves one connection until it closes or Run() must react to Stop/Remove.
  std::string Serve(int fd);
  bool ReadExact(int fd, std::uint8_t* out, std::size_t n, std::string* why);
  void Emit(VpcdEvent::Kind kind, std::string detail = {});

  VpcdCard card_;
  VpcdLinkOptions options_;
  std::function<void(const VpcdEvent&)> on_event_;
  int wake_fd_ = -1;  // eventfd: Stop/Remove/Insert interrupt poll()
  std::atomic<bool> stop_{false};
  std::atomic<bool> inserted_{true};
  std::atomic<bool> connected_{false};
  mutable std::mutex stats_mu_;
  VpcdStats stats_;
};

}  // namespace omaiop::sim::uicc
