#include "codec/dm_notification.h"

#include <openssl/crypto.h>

#include <cstdio>

#include "codec/byte_reader.h"
#include "codec/dm_auth.h"

namespace omaiop::codec {

namespace {

constexpr const char* kRule = "OMA-TS-DM_Notification-V1_2 §6.2";

// Bit layout of the 64-bit header word after the digest (§6.2; the same
// masks as libdmclient package0.c).
constexpr int kVersionShift = 54;    // 10 bits
constexpr int kUiShift = 52;         // 2 bits
constexpr int kInitiatorShift = 51;  // 1 bit
constexpr int kFutureShift = 24;     // 27 bits
constexpr int kSessionShift = 8;     // 16 bits
constexpr std::uint64_t kVersionMask = 0x3FF;
constexpr std::uint64_t kFutureMask = 0x7FFFFFF;

std::string Bits(std::uint64_t v, int width) {
  std::string s;
  for (int i = width - 1; i >= 0; --i) s.push_back((v >> i) & 1 ? '1' : '0');
  return s;
}

// 11 is what DM 1.2 uses (libdmclient accepts only 11); the digest's
// "version×10" reading is not applied to other values, they are shown raw.
std::string VersionText(std::uint16_t v) {
  return std::to_string(v) +
         (v == kDmNotificationVersion12 ? " (DM 1.2)" : " (not DM 1.2)");
}

struct Header {
  std::uint16_t version;
  std::uint8_t ui;
  std::uint8_t initiator;
  std::uint32_t future;
  std::uint16_t session;
  std::uint8_t id_len;
};

Header SplitHeader(std::uint64_t w) {
  return Header{static_cast<std::uint16_t>((w >> kVersionShift) & kVersionMask),
                static_cast<std::uint8_t>((w >> kUiShift) & 0x3),
                static_cast<std::uint8_t>((w >> kInitiatorShift) & 0x1),
                static_cast<std::uint32_t>((w >> kFutureShift) & kFutureMask),
                static_cast<std::uint16_t>((w >> kSessionShift) & 0xFFFF),
                static_cast<std::uint8_t>(w & 0xFF)};
}

std::uint64_t ReadU64BE(ByteView b) {
  std::uint64_t w = 0;
  for (int i = 0; i < 8; ++i) w = (w << 8) | b[i];
  return w;
}

}  // namespace

std::string_view DmUiModeName(DmUiMode m) {
  switch (m) {
    case DmUiMode::kNotSpecified:
      return "not-specified";
    case DmUiMode::kBackground:
      return "background";
    case DmUiMode::kInformative:
      return "informative";
    case DmUiMode::kUserInteraction:
      return "user-interaction";
  }
  return "?";
}

Result<DmNotification> ParseDmNotification(
    ByteView data, std::size_t base_offset,
    const DmNotificationParseOptions& options) {
  constexpr std::size_t kMin =
      kDmNotificationDigestSize + kDmNotificationHeaderSize;
  if (data.size() < kMin) {
    return Error("package 0 is " + std::to_string(data.size()) +
                     " octets; digest (16) + header (8) need at least 24",
                 base_offset + data.size(), kRule);
  }
  DmNotification n;
  std::copy(data.begin(), data.begin() + kDmNotificationDigestSize,
            n.digest.begin());
  const std::size_t hdr_at = base_offset + kDmNotificationDigestSize;
  Header h = SplitHeader(ReadU64BE(data.subspan(kDmNotificationDigestSize, 8)));
  n.version = h.version;
  n.ui_mode = static_cast<DmUiMode>(h.ui);
  n.initiator = static_cast<DmInitiator>(h.initiator);
  n.future_use = h.future;
  n.session_id = h.session;

  if (h.version != kDmNotificationVersion12) {
    Diagnostic d = Error("version is " + VersionText(h.version) +
                             ", DM 1.2 requires 11 (0000001011)",
                         hdr_at, kRule);
    if (options.require_version_12) return d;
    n.warnings.push_back(std::move(d));
  }
  if (h.future != 0) {
    // Not fatal: future-use bits are reserved, a receiver ignores them.
    char hex[16];
    std::snprintf(hex, sizeof hex, "%07X", static_cast<unsigned>(h.future));
    n.warnings.push_back(Error(std::string("future-use bits are 0x") + hex +
                                   ", expected all 0 (ignored)",
                               hdr_at + 1, kRule));
  }
  if (h.session == 0) {
    Diagnostic d =
        Error("sessionid is 0; it must be 1..0xFFFF", hdr_at + 5, kRule);
    if (options.reject_session_id_zero) return d;
    n.warnings.push_back(std::move(d));
  }
  if (kMin + h.id_len > data.size()) {
    return Error("length-identifier says " + std::to_string(h.id_len) +
                     " octets of server-identifier but only " +
                     std::to_string(data.size() - kMin) + " follow",
                 hdr_at + 7, kRule);
  }
  if (h.id_len == 0)
    n.warnings.push_back(
        Error("server-identifier is empty", hdr_at + 7, kRule));
  n.server_id = AsString(data.subspan(kMin, h.id_len));
  auto body = data.subspan(kMin + h.id_len);
  n.trigger_body.assign(body.begin(), body.end());
  return n;
}

Bytes EncodeDmNotificationTrigger(const DmNotification& n) {
  std::uint8_t id_len = n.length_identifier_override.value_or(
      static_cast<std::uint8_t>(n.server_id.size()));
  std::uint64_t w =
      ((std::uint64_t{n.version} & kVersionMask) << kVersionShift) |
      ((std::uint64_t(n.ui_mode) & 0x3) << kUiShift) |
      ((std::uint64_t(n.initiator) & 0x1) << kInitiatorShift) |
      ((std::uint64_t{n.future_use} & kFutureMask) << kFutureShift) |
      (std::uint64_t{n.session_id} << kSessionShift) | id_len;
  Bytes out;
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<std::uint8_t>(w >> (8 * i)));
  out.insert(out.end(), n.server_id.begin(), n.server_id.end());
  out.insert(out.end(), n.trigger_body.begin(), n.trigger_body.end());
  return out;
}

Bytes EncodeDmNotification(const DmNotification& n) {
  Bytes out(n.digest.begin(), n.digest.end());
  Bytes trigger = EncodeDmNotificationTrigger(n);
  out.insert(out.end(), trigger.begin(), trigger.end());
  return out;
}

std::array<std::uint8_t, kDmNotificationDigestSize> ComputeNotificationDigest(
    std::string_view server_id, std::string_view password, ByteView nonce,
    ByteView trigger) {
  std::string key = std::string(server_id) + ":" + std::string(password);
  std::string a = B64Md5(AsBytes(key)) + ":";
  Bytes msg(a.begin(), a.end());
  msg.insert(msg.end(), nonce.begin(), nonce.end());
  std::string tail = ":";  // (not ":" + s: GCC 12 -Wrestrict false positive)
  tail += B64Md5(trigger);
  msg.insert(msg.end(), tail.begin(), tail.end());
  Bytes h = Md5(msg);
  std::array<std::uint8_t, kDmNotificationDigestSize> out{};
  std::copy(h.begin(), h.end(), out.begin());
  return out;
}

void SignDmNotification(DmNotification& n, std::string_view password,
                        ByteView nonce) {
  n.digest = ComputeNotificationDigest(n.server_id, password, nonce,
                                       EncodeDmNotificationTrigger(n));
}

Result<NotificationNonceUsed> VerifyNotificationDigest(
    ByteView pkg0, std::string_view server_id, std::string_view password,
    ByteView nonce, const NotificationDigestOptions& options,
    std::size_t base_offset) {
  if (pkg0.size() < kDmNotificationDigestSize + kDmNotificationHeaderSize)
    return Error("package 0 too short to carry a digest and header",
                 base_offset + pkg0.size(), kRule);
  ByteView received = pkg0.first(kDmNotificationDigestSize);
  ByteView trigger = pkg0.subspan(kDmNotificationDigestSize);
  auto matches = [&](ByteView n) {
    auto d = ComputeNotificationDigest(server_id, password, n, trigger);
    return CRYPTO_memcmp(d.data(), received.data(), d.size()) == 0;
  };
  if (matches(nonce)) return NotificationNonceUsed::kStored;
  if (options.fallback_nonce && matches(*options.fallback_nonce))
    return NotificationNonceUsed::kFallback;
  auto expect = ComputeNotificationDigest(server_id, password, nonce, trigger);
  return Error("digest " + ToHex(received) + " does not match " +
                   ToHex(expect) + " computed for server-id '" +
                   std::string(server_id) + "' and the stored nonce",
               base_offset, kRule);
}

std::string SessionIdForSyncHdr(std::uint16_t session_id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%X", static_cast<unsigned>(session_id));
  return buf;
}

ProtoNode DescribeDmNotification(ByteView data, std::size_t base_offset) {
  ProtoNode root{
      "OMA DM Notification (package 0)", "", base_offset, data.size(), {}, {}};
  DmNotificationParseOptions lax;
  lax.require_version_12 = false;
  lax.reject_session_id_zero = false;
  auto parsed = ParseDmNotification(data, base_offset, lax);
  if (data.size() >= kDmNotificationDigestSize)
    root.Add("Digest", ToHex(data.first(kDmNotificationDigestSize)),
             base_offset, kDmNotificationDigestSize);
  if (data.size() < kDmNotificationDigestSize + kDmNotificationHeaderSize) {
    root.notes.push_back(parsed.error());
    return root;
  }
  const std::size_t h = base_offset + kDmNotificationDigestSize;
  std::uint64_t w = ReadU64BE(data.subspan(kDmNotificationDigestSize, 8));
  Header f = SplitHeader(w);
  ProtoNode& hdr = root.Add("Header", ToHex(data.subspan(16, 8)), h, 8);
  hdr.Add("Version",
          "bits 0-9: " + Bits(f.version, 10) + " = " + VersionText(f.version),
          h, 2);
  hdr.Add("UI mode",
          "bits 10-11: " + Bits(f.ui, 2) + " = " +
              std::string(DmUiModeName(static_cast<DmUiMode>(f.ui))),
          h + 1, 1);
  hdr.Add("Initiator",
          "bit 12: " + Bits(f.initiator, 1) + " = " +
              (f.initiator ? "server" : "client/user"),
          h + 1, 1);
  hdr.Add("Future use", "bits 13-39: " + Bits(f.future, 27), h + 1, 4);
  hdr.Add("Session ID",
          std::to_string(f.session) + " (SyncHdr SessionID \"" +
              SessionIdForSyncHdr(f.session) + "\")",
          h + 5, 2);
  hdr.Add("Length identifier", std::to_string(f.id_len), h + 7, 1);
  if (!parsed.ok()) {
    root.notes.push_back(parsed.error());
    return root;
  }
  root.Add("Server identifier", "\"" + parsed->server_id + "\"", h + 8,
           parsed->server_id.size());
  if (!parsed->trigger_body.empty())
    root.Add("Trigger body (vendor specific)", ToHex(parsed->trigger_body),
             h + 8 + parsed->server_id.size(), parsed->trigger_body.size());
  for (auto& w2 : parsed->warnings) root.notes.push_back(w2);
  return root;
}

}  // namespace omaiop::codec
