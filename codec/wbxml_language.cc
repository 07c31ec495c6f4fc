#include "codec/wbxml_language.h"

#include <algorithm>
#include <cstring>

namespace omaiop::codec {

namespace {

template <typename T>
void BuildIndex(const std::vector<T>& entries,
                std::vector<std::uint16_t>& index, std::vector<bool>& pages) {
  std::size_t max_page = 0;
  for (const auto& e : entries)
    max_page = std::max<std::size_t>(max_page, e.page);
  index.assign((max_page + 1) * 256, 0);
  if (pages.size() < max_page + 1) pages.resize(max_page + 1, false);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto key =
        static_cast<std::size_t>(entries[i].page) << 8 | entries[i].token;
    // First entry wins on a duplicate code (the table order is authoritative).
    if (index[key] == 0) index[key] = static_cast<std::uint16_t>(i + 1);
    pages[entries[i].page] = true;
  }
}

template <typename T>
const T* Lookup(const std::vector<T>& entries,
                const std::vector<std::uint16_t>& index, std::uint8_t page,
                std::uint8_t token) {
  std::size_t key = static_cast<std::size_t>(page) << 8 | token;
  if (key >= index.size() || index[key] == 0) return nullptr;
  return &entries[index[key] - 1];
}

}  // namespace

WbxmlLanguage::WbxmlLanguage(std::string name, std::uint32_t public_id,
                             std::string public_id_string,
                             std::string root_element,
                             std::vector<WbxmlTagToken> tags,
                             std::vector<WbxmlAttrStartToken> attr_starts,
                             std::vector<WbxmlAttrValueToken> attr_values,
                             std::vector<WbxmlNamespace> namespaces)
    : name_(std::move(name)),
      public_id_(public_id),
      public_id_string_(std::move(public_id_string)),
      root_element_(std::move(root_element)),
      tags_(std::move(tags)),
      attr_starts_(std::move(attr_starts)),
      attr_values_(std::move(attr_values)),
      namespaces_(std::move(namespaces)) {
  BuildIndex(tags_, tag_index_, tag_pages_);
  BuildIndex(attr_starts_, start_index_, attr_pages_);
  BuildIndex(attr_values_, value_index_, attr_pages_);
  for (const auto& t : tags_) tags_by_name_[t.name].push_back(&t);
  for (const auto& a : attr_starts_) starts_by_name_[a.name].push_back(&a);
  for (const auto& v : attr_values_) {
    if (values_by_page_.size() <= v.page) values_by_page_.resize(v.page + 1);
    values_by_page_[v.page].push_back(&v);
  }
  for (auto& list : values_by_page_)
    std::stable_sort(list.begin(), list.end(), [](auto* a, auto* b) {
      return std::strlen(a->value) > std::strlen(b->value);
    });
}

const WbxmlTagToken* WbxmlLanguage::Tag(std::uint8_t page,
                                        std::uint8_t token) const {
  return Lookup(tags_, tag_index_, page, token);
}
const WbxmlAttrStartToken* WbxmlLanguage::AttrStart(std::uint8_t page,
                                                    std::uint8_t token) const {
  return Lookup(attr_starts_, start_index_, page, token);
}
const WbxmlAttrValueToken* WbxmlLanguage::AttrValue(std::uint8_t page,
                                                    std::uint8_t token) const {
  return Lookup(attr_values_, value_index_, page, token);
}
bool WbxmlLanguage::HasTagPage(std::uint8_t page) const {
  return page < tag_pages_.size() && tag_pages_[page];
}
bool WbxmlLanguage::HasAttrPage(std::uint8_t page) const {
  return page < attr_pages_.size() && attr_pages_[page];
}

std::string_view WbxmlLanguage::NamespaceOfPage(std::uint8_t page) const {
  for (const auto& n : namespaces_)
    if (n.page == page) return n.uri;
  return {};
}

std::optional<std::uint8_t> WbxmlLanguage::PageOfNamespace(
    std::string_view uri) const {
  for (const auto& n : namespaces_)
    if (uri == n.uri) return n.page;
  return std::nullopt;
}

const WbxmlTagToken* WbxmlLanguage::FindTag(std::string_view name,
                                            std::optional<std::uint8_t> ns_page,
                                            std::uint8_t current_page) const {
  auto it = tags_by_name_.find(name);
  if (it == tags_by_name_.end()) return nullptr;
  const auto& list = it->second;
  if (ns_page) {
    for (auto* t : list)
      if (t->page == *ns_page) return t;
  }
  for (auto* t : list)
    if (t->page == current_page) return t;
  const WbxmlTagToken* best = list.front();
  for (auto* t : list)
    if (t->page < best->page) best = t;
  return best;
}

const std::vector<const WbxmlAttrStartToken*>& WbxmlLanguage::AttrStartsNamed(
    std::string_view name) const {
  static const std::vector<const WbxmlAttrStartToken*> kNone;
  auto it = starts_by_name_.find(name);
  return it == starts_by_name_.end() ? kNone : it->second;
}

const std::vector<const WbxmlAttrValueToken*>& WbxmlLanguage::AttrValuesOnPage(
    std::uint8_t page) const {
  static const std::vector<const WbxmlAttrValueToken*> kNone;
  return page < values_by_page_.size() ? values_by_page_[page] : kNone;
}

const WbxmlLanguage* LanguageForPublicId(std::uint32_t public_id) {
  if (public_id == 0x0B) return &ProvLanguage(ProvVersion::k11);
  if (public_id == SyncMlDmLanguage().public_id()) return &SyncMlDmLanguage();
  if (public_id == MetInfLanguage().public_id()) return &MetInfLanguage();
  return nullptr;
}

const WbxmlLanguage* LanguageForPublicIdString(std::string_view public_id) {
  if (public_id == ProvLanguage().public_id_string())
    return &ProvLanguage(ProvVersion::k11);
  for (const WbxmlLanguage* l :
       {&SyncMlDmLanguage(), &MetInfLanguage(), &TndsLanguage()})
    if (public_id == l->public_id_string()) return l;
  return nullptr;
}

const WbxmlLanguage* LanguageForRootElement(std::string_view name,
                                            std::string_view ns) {
  if (name == "wap-provisioningdoc") return &ProvLanguage(ProvVersion::k11);
  if (name == "SyncML") return &SyncMlDmLanguage();
  if (name == "MgmtTree") return &TndsLanguage();
  if (name == "MetInf") return &MetInfLanguage();
  return nullptr;
}

}  // namespace omaiop::codec
