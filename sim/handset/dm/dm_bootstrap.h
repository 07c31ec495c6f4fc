// DM bootstrap into the handset's tree (OMA-TS-DM_Bootstrap-V1_2_1, dm.md
// §2): the DM profile (a SyncML DM message of Adds/Replaces, possibly a TNDS
// object added to ./Inbox, processed without a response: dm.md §2.3), as
// found in EF DM_Bootstrap on the card (dm.md §1.3) or pushed; the CP
// profile (a w7 APPLICATION mapped to ./DMAcc: dm.md §2.1); and the removal
// of accounts whose originating card is gone (dm.md §1.2, §2.4).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "codec/syncml.h"
#include "sim/handset/cp/settings_store.h"
#include "sim/handset/dm/tree.h"

namespace omaiop::sim::handset::dm {

inline constexpr char kTndsXmlType[] = "application/vnd.syncml.dmtnds+xml";
inline constexpr char kTndsWbxmlType[] = "application/vnd.syncml.dmtnds+wbxml";

struct BootstrapOptions {
  // Tag stamped on every node the bootstrap creates, e.g. "card:<ICCID>"
  // (cp::CardOrigin), so RemoveAccountsOfOrigin can take them back.
  std::string origin;
  // A bootstrapped account without its own ACL gets Get/Replace/Delete for
  // its ServerID. dm.md §2.1 states this for the CP profile; for the DM
  // profile "ACLs MUST be carried inside the TNDS" and the rights policy is
  // out of scope, so applying the CP rule there is our policy (option).
  bool grant_server_acl = true;
  // An account node without Type gets urn:oma:mo:oma-dm-dmacc:1.0 (DM 1.2
  // locates DMAcc instances by Type: dm.md §3.6).
  bool set_dmacc_type = true;
  // The card is re-read at every power-on (dm.md §1.2): an Add of a node
  // that exists is then applied as a Replace (leaf) or accepted (interior)
  // instead of failing with 418.
  bool re_apply_existing = true;
};

struct BootstrapItemStatus {
  std::string cmd;  // "Add", "Replace", ...
  std::string cmd_id;
  std::string uri;
  int code = 0;
  std::string reason;
};

struct BootstrapReport {
  std::vector<BootstrapItemStatus> items;  // what a Status would have said
  std::vector<std::string> accounts;       // DMAcc instance URIs bootstrapped
  std::vector<std::string> warnings;       // e.g. account without ServerID
  bool ok() const;                         // every item succeeded
};

// Applies a bootstrap message as the device (no ACL check: the bootstrap is
// the device's trust decision, dm.md §2.2). Items are processed in order;
// a failing item is reported and processing continues (no response is
// sent, dm.md §2.3, so the report is for the trace). Atomic/Sequence
// children are processed in order; Get/Delete/Exec/Copy are reported 406
// (not part of a bootstrap). Fails only if the message cannot be read.
codec::Result<BootstrapReport> ApplyBootstrap(Tree& tree,
                                              const codec::SyncMlMessage& msg,
                                              const BootstrapOptions& options);
codec::Result<BootstrapReport> ApplyBootstrapXml(
    Tree& tree, std::string_view xml, const BootstrapOptions& options);
// WBXML, as EF DM_Bootstrap holds it (dm.md §2.1: the DM profile is WBXML).
codec::Result<BootstrapReport> ApplyBootstrapWbxml(
    Tree& tree, codec::ByteView wbxml, const BootstrapOptions& options);

// Makes ./Inbox accept a TNDS object (dm.md §2.1: client MUST support
// ./Inbox): a server Add to ./Inbox with Format xml and Type
// application/vnd.syncml.dmtnds+xml adds the TNDS nodes at their real
// place (top-level NodeName = child of "."), with the server's rights; any
// other content is 415. Nodes are tagged with `origin`.
void InstallInbox(Tree& tree, std::string origin = "ota");

// DMAcc instances: interior nodes whose Type is the DMAcc MO id, anywhere,
// and children of ./DMAcc that have AppID (DM 1.1-style, no Type).
std::vector<std::string> FindDmAccounts(const Tree& tree);

// Maps a CP w7 account (cp::ToDmAccount) into ./DMAcc/<x> (dm.md §2.1):
// PROVIDER-ID -> ServerID, NAME -> Name, APPADDR/ADDR, ADDRTYPE, PORTNBR ->
// AppAddr/1/..., APPAUTH -> AppAuth/<level>/... with AAUTHLEVEL APPSRV ->
// SRVCRED, CLIENT -> CLCRED [R: the DM names of the CP levels], the first
// TO-NAPID -> PrefConRef (a NAPID: no ConnMO exists in this tree yet).
// Origin = account.origin. ACL Get/Replace/Delete for the ServerID.
OpResult AddW7Account(Tree& tree, const cp::DmAccount& account,
                      std::string* created_uri = nullptr);

// Deletes every top-most node tagged `origin` (the accounts and any MO the
// same card brought: dm.md §1.2 "delete that server's account information",
// §3.1.3.5.1 "remove all MO information that originated from the card").
// Returns the URIs removed.
std::vector<std::string> RemoveAccountsOfOrigin(Tree& tree,
                                                std::string_view origin);

}  // namespace omaiop::sim::handset::dm
