#include "codec/xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include <algorithm>
#include <map>
#include <vector>

namespace omaiop::codec {

namespace {

void SilentErrorHandler(void*, const char*, ...) {}

bool IsIgnorable(const xmlNode* n) {
  if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) return true;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    const char* c = reinterpret_cast<const char*>(n->content);
    return c == nullptr || TrimXmlSpace(c).empty();
  }
  return false;
}

std::vector<const xmlNode*> Significant(const xmlNode* n) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = n->children; c; c = c->next)
    if (!IsIgnorable(c)) out.push_back(c);
  return out;
}

std::map<std::string, std::string> Attributes(const xmlNode* n) {
  std::map<std::string, std::string> out;
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    xmlChar* v = xmlNodeListGetString(n->doc, a->children, 1);
    std::string key = reinterpret_cast<const char*>(a->name);
    if (a->ns && a->ns->href)
      key = "{" + std::string(reinterpret_cast<const char*>(a->ns->href)) +
            "}" + key;
    out[key] = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
  }
  return out;
}

std::string NsOf(const xmlNode* n) {
  return n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href) : "";
}

}  // namespace

Result<XmlDoc> ParseXml(std::string_view text, std::string_view what) {
  xmlSetGenericErrorFunc(nullptr, SilentErrorHandler);
  xmlResetLastError();
  const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  // Entities are not substituted and no DTD is loaded (XXE safe).
  xmlDoc* doc = xmlReadMemory(text.data(), static_cast<int>(text.size()),
                              nullptr, nullptr, opts);
  if (doc == nullptr) {
    const xmlError* err = xmlGetLastError();
    std::string msg =
        err && err->message ? TrimXmlSpace(err->message) : "not XML";
    std::string path = err ? "line " + std::to_string(err->line) : "";
    return PathError(std::string(what) + " is not well-formed: " + msg, path,
                     "XML 1.0");
  }
  return XmlDoc(doc);
}

std::string SerializeXml(const xmlDoc* doc, bool pretty, bool declaration) {
  xmlBufferPtr buf = xmlBufferCreate();
  int opts = XML_SAVE_AS_XML | (pretty ? XML_SAVE_FORMAT : 0) |
             (declaration ? 0 : XML_SAVE_NO_DECL);
  xmlSaveCtxtPtr ctx = xmlSaveToBuffer(buf, "UTF-8", opts);
  xmlSaveDoc(ctx, const_cast<xmlDoc*>(doc));
  xmlSaveClose(ctx);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                  xmlBufferLength(buf));
  xmlBufferFree(buf);
  return out;
}

std::string SerializeNode(const xmlNode* node, bool pretty) {
  xmlBufferPtr buf = xmlBufferCreate();
  xmlNodeDump(buf, node->doc, const_cast<xmlNode*>(node), 0, pretty ? 1 : 0);
  std::string out(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                  xmlBufferLength(buf));
  xmlBufferFree(buf);
  return out;
}

bool XmlEquivalent(const xmlNode* a, const xmlNode* b, std::string* diff) {
  auto fail = [&](const std::string& why) {
    if (diff) *diff = NodePath(a) + ": " + why;
    return false;
  };
  if (a->type != b->type) return fail("node kinds differ");
  if (a->type == XML_TEXT_NODE || a->type == XML_CDATA_SECTION_NODE) {
    std::string ta = TrimXmlSpace(reinterpret_cast<const char*>(a->content));
    std::string tb = TrimXmlSpace(reinterpret_cast<const char*>(b->content));
    if (ta != tb) return fail("text '" + ta + "' vs '" + tb + "'");
    return true;
  }
  if (a->type != XML_ELEMENT_NODE) return true;
  if (NodeName(a) != NodeName(b))
    return fail("element <" + std::string(NodeName(a)) + "> vs <" +
                std::string(NodeName(b)) + ">");
  if (NsOf(a) != NsOf(b))
    return fail("namespace '" + NsOf(a) + "' vs '" + NsOf(b) + "'");
  auto aa = Attributes(a), ab = Attributes(b);
  if (aa != ab) {
    std::string s = "attributes differ:";
    for (auto& [k, v] : aa)
      if (!ab.count(k) || ab[k] != v) s += " " + k + "='" + v + "'";
    s += " vs";
    for (auto& [k, v] : ab)
      if (!aa.count(k) || aa[k] != v) s += " " + k + "='" + v + "'";
    return fail(s);
  }
  auto ca = Significant(a), cb = Significant(b);
  // Adjacent text nodes may be split differently; compare merged text when
  // both sides are text-only.
  bool text_only_a = std::all_of(ca.begin(), ca.end(), [](auto* n) {
    return n->type != XML_ELEMENT_NODE;
  });
  bool text_only_b = std::all_of(cb.begin(), cb.end(), [](auto* n) {
    return n->type != XML_ELEMENT_NODE;
  });
  if (text_only_a && text_only_b) {
    std::string ta = TrimXmlSpace(NodeText(a)), tb = TrimXmlSpace(NodeText(b));
    if (ta != tb) return fail("text '" + ta + "' vs '" + tb + "'");
    return true;
  }
  if (ca.size() != cb.size())
    return fail(std::to_string(ca.size()) + " vs " + std::to_string(cb.size()) +
                " child nodes");
  for (std::size_t i = 0; i < ca.size(); ++i)
    if (!XmlEquivalent(ca[i], cb[i], diff)) return false;
  return true;
}

bool XmlEquivalent(const xmlDoc* a, const xmlDoc* b, std::string* diff) {
  const xmlNode* ra = xmlDocGetRootElement(const_cast<xmlDoc*>(a));
  const xmlNode* rb = xmlDocGetRootElement(const_cast<xmlDoc*>(b));
  if (!ra || !rb) {
    if (diff) *diff = "missing root element";
    return ra == rb;
  }
  return XmlEquivalent(ra, rb, diff);
}

std::string TrimXmlSpace(std::string_view s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::string_view NodeName(const xmlNode* n) {
  return n && n->name ? reinterpret_cast<const char*>(n->name) : "";
}

std::string NodeText(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string out = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return out;
}

std::string GetAttr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

bool HasAttr(const xmlNode* n, const char* name) {
  return xmlHasProp(n, reinterpret_cast<const xmlChar*>(name)) != nullptr;
}

xmlNode* FirstChildElement(const xmlNode* n, std::string_view name) {
  for (xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && (name.empty() || NodeName(c) == name))
      return c;
  return nullptr;
}

xmlNode* NextSiblingElement(const xmlNode* n, std::string_view name) {
  for (xmlNode* c = n ? n->next : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && (name.empty() || NodeName(c) == name))
      return c;
  return nullptr;
}

std::string NodePath(const xmlNode* n) {
  std::vector<std::string> parts;
  for (const xmlNode* c = n; c && c->type == XML_ELEMENT_NODE; c = c->parent) {
    int index = 1, total = 0;
    for (const xmlNode* s = c->parent ? c->parent->children : nullptr; s;
         s = s->next) {
      if (s->type != XML_ELEMENT_NODE || NodeName(s) != NodeName(c)) continue;
      ++total;
      if (s == c) index = total;
    }
    std::string part(NodeName(c));
    if (total > 1) part += "[" + std::to_string(index) + "]";
    parts.push_back(part);
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out.empty() ? "/" : out;
}

}  // namespace omaiop::codec
