// WBXML language tables: for one XML vocabulary (PROV, SyncML DM, TNDS...)
// the tag, attribute-start and attribute-value tokens per code page, the
// namespace URI of each page, and its document public identifier
// (WBXML 1.3 §5.5, §5.8.2, §5.8.3). The tables are data; lookups are O(1) for
// the decoder (page, token) and by name for the encoder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omaiop::codec {

struct WbxmlTagToken {
  std::uint8_t page;
  std::uint8_t token;  // 0x05..0x3F: the tag identity without bits 6/7
  const char* name;
};

// An attribute-start token names the attribute and may carry the first part
// of its value ("name=NAME" → name "name", value_prefix "NAME").
struct WbxmlAttrStartToken {
  std::uint8_t page;
  std::uint8_t token;  // 0x05..0x7F except the globals 0x40..0x44
  const char* name;
  const char* value_prefix;  // "" when the token carries no value
};

// An attribute-value token stands for a string inside an attribute value.
struct WbxmlAttrValueToken {
  std::uint8_t page;
  std::uint8_t token;  // 0x85..0xFF except the globals 0xC0..0xC4
  const char* value;
};

struct WbxmlNamespace {
  std::uint8_t page;
  const char* uri;
};

class WbxmlLanguage {
 public:
  // public_id 0 = no numeric id assigned (use public_id_string).
  WbxmlLanguage(std::string name, std::uint32_t public_id,
                std::string public_id_string, std::string root_element,
                std::vector<WbxmlTagToken> tags,
                std::vector<WbxmlAttrStartToken> attr_starts,
                std::vector<WbxmlAttrValueToken> attr_values,
                std::vector<WbxmlNamespace> namespaces);

  const std::string& name() const { return name_; }
  std::uint32_t public_id() const { return public_id_; }
  const std::string& public_id_string() const { return public_id_string_; }
  const std::string& root_element() const { return root_element_; }
  const std::vector<WbxmlTagToken>& tags() const { return tags_; }
  const std::vector<WbxmlAttrStartToken>& attr_starts() const {
    return attr_starts_;
  }
  const std::vector<WbxmlAttrValueToken>& attr_values() const {
    return attr_values_;
  }
  const std::vector<WbxmlNamespace>& namespaces() const { return namespaces_; }

  // Decoder lookups; nullptr when the language does not define the token.
  const WbxmlTagToken* Tag(std::uint8_t page, std::uint8_t token) const;
  const WbxmlAttrStartToken* AttrStart(std::uint8_t page,
                                       std::uint8_t token) const;
  const WbxmlAttrValueToken* AttrValue(std::uint8_t page,
                                       std::uint8_t token) const;
  bool HasTagPage(std::uint8_t page) const;
  bool HasAttrPage(std::uint8_t page) const;

  // "" when the page has no namespace (e.g. PROV).
  std::string_view NamespaceOfPage(std::uint8_t page) const;
  std::optional<std::uint8_t> PageOfNamespace(std::string_view uri) const;

  // Encoder lookups. FindTag prefers `ns_page` (the page the element's
  // namespace maps to), then `current_page`, then the lowest page.
  const WbxmlTagToken* FindTag(std::string_view name,
                               std::optional<std::uint8_t> ns_page,
                               std::uint8_t current_page) const;
  // All attribute-start tokens for an attribute name (any prefix, any page).
  const std::vector<const WbxmlAttrStartToken*>& AttrStartsNamed(
      std::string_view name) const;
  // Attribute-value tokens defined on a page, longest value first.
  const std::vector<const WbxmlAttrValueToken*>& AttrValuesOnPage(
      std::uint8_t page) const;

 private:
  std::string name_;
  std::uint32_t public_id_;
  std::string public_id_string_;
  std::string root_element_;
  std::vector<WbxmlTagToken> tags_;
  std::vector<WbxmlAttrStartToken> attr_starts_;
  std::vector<WbxmlAttrValueToken> attr_values_;
  std::vector<WbxmlNamespace> namespaces_;
  // (page << 8 | token) → index + 1 (0 = undefined).
  std::vector<std::uint16_t> tag_index_, start_index_, value_index_;
  std::vector<bool> tag_pages_, attr_pages_;
  std::map<std::string, std::vector<const WbxmlTagToken*>, std::less<>>
      tags_by_name_;
  std::map<std::string, std::vector<const WbxmlAttrStartToken*>, std::less<>>
      starts_by_name_;
  std::vector<std::vector<const WbxmlAttrValueToken*>> values_by_page_;
};

// --- The languages omaiop speaks ----------------------------------------

// OMA Client Provisioning (wap-provisioningdoc), public id 0x0B for every
// version (cp.md §1.3). k10: WAP-183 ProvCont 1.0 tokens, code page 0 only.
// k11: plus the CP 1.1 additions and code page 1 (as libwbxml). k11Wlan: plus
// the WLAN CR page-1 tokens and the Kannel-only page-0 tokens (cp.md §1.4,
// UNCERTAIN; see wbxml_prov.cc).
enum class ProvVersion { k10, k11, k11Wlan };
const WbxmlLanguage& ProvLanguage(ProvVersion version = ProvVersion::k11);

// SyncML 1.2 as used by OMA DM 1.2: page 0 SyncML (SYNCML:SYNCML1.2),
// page 1 MetInf 1.2 (syncml:metinf), page 2 DM DDF 1.2 / TNDS
// (syncml:dmddf1.2); public id 0x1201 (dm.md §3.9).
const WbxmlLanguage& SyncMlDmLanguage();
// MetInf 1.2 as a standalone document (public id 0x1202, page 1).
const WbxmlLanguage& MetInfLanguage();
// DM DDF 1.2 / TNDS MgmtTree as a standalone document: no numeric public id,
// string "-//OMA//DTD-DM-DDF 1.2//EN", tokens on page 2 (as libwbxml).
const WbxmlLanguage& TndsLanguage();

// nullptr when unknown. 0x0B → ProvLanguage(k11).
const WbxmlLanguage* LanguageForPublicId(std::uint32_t public_id);
const WbxmlLanguage* LanguageForPublicIdString(std::string_view public_id);
// By root element name and namespace (for XML input without a public id).
const WbxmlLanguage* LanguageForRootElement(std::string_view name,
                                            std::string_view ns = {});

}  // namespace omaiop::codec
