#include "sim/reader/pcsc_reader.h"

#include <pcsclite.h>

#include <cctype>
#include <cstdio>

namespace omaiop::sim::reader {

using codec::Bytes;
using codec::ByteView;
using codec::Result;

namespace {

constexpr const char* kRule = "PC/SC (pcsc-lite)";

codec::Diagnostic Fail(const char* call, LONG rv) {
  return codec::Error(PcscErrorText(call, rv), 0, kRule);
}

// Every connected context; released by the owner.
Result<SCARDCONTEXT> Establish() {
  SCARDCONTEXT ctx = 0;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
  if (rv != SCARD_S_SUCCESS) return Fail("SCardEstablishContext", rv);
  return ctx;
}

Result<std::vector<std::string>> ListWith(SCARDCONTEXT ctx) {
  DWORD len = 0;
  LONG rv = SCardListReaders(ctx, nullptr, nullptr, &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return Fail("SCardListReaders", rv);
  std::string buf(len, '\0');
  rv = SCardListReaders(ctx, nullptr, buf.data(), &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return Fail("SCardListReaders", rv);
  // Multi-string: names separated by NUL, ended by an empty name.
  std::vector<std::string> names;
  std::size_t pos = 0;
  while (pos < buf.size() && buf[pos] != '\0') {
    std::size_t end = buf.find('\0', pos);
    if (end == std::string::npos) end = buf.size();
    names.push_back(buf.substr(pos, end - pos));
    pos = end + 1;
  }
  return names;
}

}  // namespace

std::string PcscErrorText(const char* call, LONG rv) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%08lX",
                static_cast<unsigned long>(rv) & 0xFFFFFFFFul);
  std::string text =
      std::string(call) + ": " + pcsc_stringify_error(rv) + " (" + code + ")";
  switch (rv) {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
      text +=
          "; is pcscd running? Start it with `pcscd -f` (scripts/setup "
          "installs pcscd and vsmartcard-vpcd)";
      break;
    case SCARD_E_NO_READERS_AVAILABLE:
    case SCARD_E_UNKNOWN_READER:
      text +=
          "; no such reader: is vsmartcard-vpcd installed "
          "(/etc/reader.conf.d/vpcd) and was pcscd restarted after?";
      break;
    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_REMOVED_CARD:
      text += "; no card in the reader: is `omaiop uicc serve` running?";
      break;
    default:
      break;
  }
  return text;
}

Result<std::vector<std::string>> ListPcscReaders() {
  OMAIOP_ASSIGN_OR_RETURN(SCARDCONTEXT ctx, Establish());
  auto names = ListWith(ctx);
  SCardReleaseContext(ctx);
  return names;
}

Result<std::unique_ptr<PcscReader>> PcscReader::Open(
    const std::string& selector) {
  OMAIOP_ASSIGN_OR_RETURN(SCARDCONTEXT ctx, Establish());
  auto names = ListWith(ctx);
  if (!names.ok()) {
    SCardReleaseContext(ctx);
    return names.error();
  }
  std::string chosen;
  bool numeric = !selector.empty();
  for (char c : selector) numeric = numeric && std::isdigit((unsigned char)c);
  if (selector.empty() && !names->empty()) {
    chosen = names->front();
  } else if (numeric) {
    std::size_t i = std::stoul(selector);
    if (i < names->size()) chosen = (*names)[i];
  } else {
    for (const auto& n : *names) {
      if (n.find(selector) != std::string::npos) {
        chosen = n;
        break;
      }
    }
  }
  if (chosen.empty()) {
    std::string list;
    for (const auto& n : *names) list += (list.empty() ? "" : ", ") + n;
    SCardReleaseContext(ctx);
    return codec::Error("no PC/SC reader matches '" + selector +
                            "' (readers: " + (list.empty() ? "none" : list) +
                            "); is vsmartcard-vpcd installed (scripts/setup)?",
                        0, kRule);
  }
  return std::unique_ptr<PcscReader>(new PcscReader(ctx, chosen));
}

PcscReader::PcscReader(SCARDCONTEXT ctx, std::string name)
    : ctx_(ctx), name_(std::move(name)) {}

PcscReader::~PcscReader() {
  Disconnect();
  SCardReleaseContext(ctx_);
}

Result<DWORD> PcscReader::ReaderState() {
  SCARD_READERSTATE rs{};
  rs.szReader = name_.c_str();
  rs.dwCurrentState = SCARD_STATE_UNAWARE;
  LONG rv = SCardGetStatusChange(ctx_, 0, &rs, 1);
  if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
    return Fail("SCardGetStatusChange", rv);
  }
  return rs.dwEventState;
}

bool PcscReader::CardPresent() {
  auto st = ReaderState();
  return st.ok() && (*st & SCARD_STATE_PRESENT);
}

Result<Bytes> PcscReader::Connect() {
  Disconnect();
  LONG rv =
      SCardConnect(ctx_, name_.c_str(), SCARD_SHARE_SHARED,
                   SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_, &protocol_);
  if (rv != SCARD_S_SUCCESS) {
    card_ = 0;
    protocol_ = 0;
    return Fail(("SCardConnect(\"" + name_ + "\")").c_str(), rv);
  }
  char reader[MAX_READERNAME];
  DWORD reader_len = sizeof reader;
  DWORD state = 0, proto = 0;
  BYTE atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr;
  rv = SCardStatus(card_, reader, &reader_len, &state, &proto, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS) return Fail("SCardStatus", rv);
  return Bytes(atr, atr + atr_len);
}

void PcscReader::Disconnect() {
  if (card_ != 0) SCardDisconnect(card_, SCARD_LEAVE_CARD);
  card_ = 0;
  protocol_ = 0;
}

Result<Bytes> PcscReader::Transmit(ByteView command) {
  if (card_ == 0) {
    return codec::Error("Transmit on '" + name_ + "' without Connect()", 0,
                        kRule);
  }
  // The send PCI must name the protocol the card is using.
  const SCARD_IO_REQUEST* pci =
      protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
  BYTE response[MAX_BUFFER_SIZE_EXTENDED];
  DWORD len = sizeof response;
  LONG rv = SCardTransmit(card_, pci, command.data(),
                          static_cast<DWORD>(command.size()), nullptr, response,
                          &len);
  if (rv != SCARD_S_SUCCESS) return Fail("SCardTransmit", rv);
  return Bytes(response, response + len);
}

Result<bool> PcscReader::WaitForChange(std::chrono::milliseconds timeout) {
  SCARD_READERSTATE rs{};
  rs.szReader = name_.c_str();
  if (last_state_ == SCARD_STATE_UNAWARE) {
    OMAIOP_ASSIGN_OR_RETURN(DWORD now, ReaderState());
    last_state_ = now & ~SCARD_STATE_CHANGED;
  }
  rs.dwCurrentState = last_state_;
  LONG rv =
      SCardGetStatusChange(ctx_, static_cast<DWORD>(timeout.count()), &rs, 1);
  if (rv == SCARD_E_TIMEOUT) return (last_state_ & SCARD_STATE_PRESENT) != 0;
  if (rv != SCARD_S_SUCCESS) return Fail("SCardGetStatusChange", rv);
  last_state_ = rs.dwEventState & ~SCARD_STATE_CHANGED;
  return (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
}

}  // namespace omaiop::sim::reader
