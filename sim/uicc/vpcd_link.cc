#include "sim/uicc/vpcd_link.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/uicc/apdu_engine.h"

namespace omaiop::sim::uicc {

using codec::Bytes;
using codec::ByteView;

VpcdCard VpcdCard::ForCard(Card& card) {
  VpcdCard c;
  c.transmit = [&card](ByteView apdu) { return card.Transmit(apdu); };
  c.reset = [&card] { card.Reset(); };
  ByteView atr = Card::Atr();
  c.atr.assign(atr.begin(), atr.end());
  return c;
}

VpcdCard VpcdCard::NullCard() {
  VpcdCard c;
  c.transmit = [](ByteView) { return Bytes{0x90, 0x00}; };
  c.reset = [] {};
  ByteView atr = Card::Atr();  // same ATR: PC/SC treats both cards alike
  c.atr.assign(atr.begin(), atr.end());
  return c;
}

std::string_view VpcdEventName(VpcdEvent::Kind kind) {
  switch (kind) {
    case VpcdEvent::Kind::kConnected:
      return "connected";
    case VpcdEvent::Kind::kDisconnected:
      return "disconnected";
    case VpcdEvent::Kind::kPowerOff:
      return "power-off";
    case VpcdEvent::Kind::kPowerOn:
      return "power-on";
    case VpcdEvent::Kind::kReset:
      return "reset";
  }
  return "?";
}

codec::Result<Bytes> FrameVpcd(ByteView payload) {
  if (payload.size() > 0xFFFF) {
    return codec::Error("vpcd frame payload of " +
                            std::to_string(payload.size()) +
                            " bytes exceeds the 2-byte length (max 65535)",
                        0, "vpcd.h framing: 2-byte big-endian length");
  }
  Bytes out;
  out.reserve(payload.size() + 2);
  out.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(payload.size() & 0xFF));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

VpcdLink::VpcdLink(VpcdCard card, VpcdLinkOptions options)
    : card_(std::move(card)), options_(std::move(options)) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

VpcdLink::~VpcdLink() {
  if (wake_fd_ >= 0) close(wake_fd_);
}

void VpcdLink::set_event_handler(
    std::function<void(const VpcdEvent&)> handler) {
  on_event_ = std::move(handler);
}

void VpcdLink::Wake() {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void VpcdLink::DrainWake() {
  std::uint64_t v;
  [[maybe_unused]] ssize_t n = read(wake_fd_, &v, sizeof v);
}

void VpcdLink::Stop() {
  stop_ = true;
  Wake();
}
void VpcdLink::Remove() {
  inserted_ = false;
  Wake();
}
void VpcdLink::Insert() {
  inserted_ = true;
  Wake();
}

VpcdStats VpcdLink::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void VpcdLink::Emit(VpcdEvent::Kind kind, std::string detail) {
  if (on_event_) on_event_(VpcdEvent{kind, std::move(detail)});
}

VpcdLink::Wait VpcdLink::WaitReadable(int fd, int timeout_ms) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd, POLLIN, 0}};
  int nfds = fd >= 0 ? 2 : 1;
  for (;;) {
    int r = poll(fds, nfds, timeout_ms);
    if (r < 0 && errno == EINTR) continue;  // signals go to the CLI's loop
    if (r <= 0) return Wait::kTimeout;
    if (fds[0].revents) {
      DrainWake();
      return Wait::kWoken;
    }
    return Wait::kReady;
  }
}

int VpcdLink::Connect(std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(options_.port);
  int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = "cannot resolve '" + options_.host + "': " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    *error = std::string("connect to ") + options_.host + ":" + port +
             " failed: " + std::strerror(errno) +
             " (is pcscd with vsmartcard-vpcd running? scripts/setup "
             "installs it)";
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    // One reply = one send(), and no Nagle wait on it (uicc.md §1).
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

bool VpcdLink::ReadExact(int fd, std::uint8_t* out, std::size_t n,
                         std::string* why) {
  std::size_t got = 0;
  while (got < n) {
    Wait w = WaitReadable(fd, -1);
    if (w == Wait::kWoken) {
      if (stop_ || !inserted_) {
        *why = stop_ ? "stopped" : "removed";
        return false;
      }
      continue;
    }
    // Linux clears TCP_QUICKACK by itself; re-arm it before every read so
    // that vpcd's split header/payload writes are ACKed at once instead of
    // after the 40 ms delayed-ACK timer (uicc.md §1, item 4).
    if (options_.quick_ack) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    ssize_t r = recv(fd, out + got, n - got, 0);
    if (r == 0) {
      *why = "closed by vpcd";
      return false;
    }
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      *why = std::string("recv: ") + std::strerror(errno);
      return false;
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

namespace {
bool SendAll(int fd, const Bytes& frame) {
  std::size_t sent = 0;
  while (sent < frame.size()) {
    ssize_t r =
        send(fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += static_cast<std::size_t>(r);
  }
  return true;
}
}  // namespace

std::string VpcdLink::Serve(int fd) {
  std::string why;
  Bytes payload;
  for (;;) {
    std::uint8_t header[2];
    if (!ReadExact(fd, header, 2, &why)) return why;
    std::size_t len = (std::size_t{header[0]} << 8) | header[1];
    payload.resize(len);
    if (len > 0 && !ReadExact(fd, payload.data(), len, &why)) return why;
    if (len == 0) continue;  // not sent by vpcd; ignore rather than guess
    Bytes reply;
    if (len == 1) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      switch (payload[0]) {
        case kVpcdPowerOff:
          ++stats_.power_offs;
          break;
        case kVpcdPowerOn:
          ++stats_.power_ons;
          break;
        case kVpcdReset:
          ++stats_.resets;
          break;
        case kVpcdGetAtr:
          ++stats_.atr_requests;
          break;
        default:
          break;
      }
    }
    if (len == 1) {
      switch (payload[0]) {
        case kVpcdPowerOff:
        case kVpcdPowerOn:
        case kVpcdReset:
          // Volatile state (current files, PIN verification, channels)
          // does not survive power loss or reset; no reply (uicc.md §1).
          card_.reset();
          Emit(payload[0] == kVpcdPowerOff  ? VpcdEvent::Kind::kPowerOff
               : payload[0] == kVpcdPowerOn ? VpcdEvent::Kind::kPowerOn
                                            : VpcdEvent::Kind::kReset);
          continue;
        case kVpcdGetAtr:
          reply = card_.atr;
          break;
        default:
          // Unknown control byte: vpcd never sends one. Answering nothing
          // keeps the stream in sync with what vpcd expects.
          continue;
      }
    } else {
      reply = card_.transmit(payload);
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.apdus;
    }
    auto frame = FrameVpcd(reply);
    if (!frame.ok()) return frame.error().what;
    if (!SendAll(fd, *frame))
      return std::string("send: ") + std::strerror(errno);
  }
}

void VpcdLink::Run() {
  auto backoff = options_.backoff_min;
  while (!stop_) {
    if (!inserted_) {
      WaitReadable(-1, -1);
      continue;
    }
    std::string error;
    int fd = Connect(&error);
    if (fd < 0) {
      WaitReadable(-1, static_cast<int>(backoff.count()));
      backoff = std::min(backoff * 2, options_.backoff_max);
      continue;
    }
    backoff = options_.backoff_min;
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++stats_.connects;
    }
    connected_ = true;
    Emit(VpcdEvent::Kind::kConnected,
         options_.host + ":" + std::to_string(options_.port));
    std::string why = Serve(fd);
    close(fd);
    connected_ = false;
    // A removed card loses power: volatile state must not survive.
    card_.reset();
    Emit(VpcdEvent::Kind::kDisconnected, why);
    if (why == "closed by vpcd" && !stop_) {
      // pcscd restarting or vpcd dropping us: do not spin.
      WaitReadable(-1, static_cast<int>(options_.backoff_min.count()));
    }
  }
}

}  // namespace omaiop::sim::uicc
