// Thin RAII and safety layer over libxml2, shared by every codec that speaks
// XML (WBXML DOM, SyncML DM, CP documents, test-case files).
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

#include "codec/result.h"

namespace omaiop::codec {

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// Parses XML text. Network access, external entities and DTD loading are
// disabled (hostile input). `what` names the input in the diagnostic, whose
// path is "line N" of the first error.
Result<XmlDoc> ParseXml(std::string_view text, std::string_view what = "XML");

// Serialises a document (UTF-8, with XML declaration unless omitted).
std::string SerializeXml(const xmlDoc* doc, bool pretty = true,
                         bool declaration = true);
// Serialises one element subtree.
std::string SerializeNode(const xmlNode* node, bool pretty = true);

// Structural comparison: element names (local name and namespace URI),
// attributes (as a set), and text content with leading/trailing whitespace
// trimmed; whitespace-only text and comments are ignored. On mismatch
// returns false and, if diff is given, a description with the element path.
bool XmlEquivalent(const xmlNode* a, const xmlNode* b,
                   std::string* diff = nullptr);
bool XmlEquivalent(const xmlDoc* a, const xmlDoc* b,
                   std::string* diff = nullptr);

// Strips leading/trailing XML white space (space, tab, CR, LF).
std::string TrimXmlSpace(std::string_view s);

// Small accessors that avoid xmlChar casts at call sites.
std::string_view NodeName(const xmlNode* n);
std::string NodeText(const xmlNode* n);  // concatenated text content
std::string GetAttr(const xmlNode* n, const char* name);  // "" if absent
bool HasAttr(const xmlNode* n, const char* name);
// First element child named `name` (any namespace), or nullptr.
xmlNode* FirstChildElement(const xmlNode* n, std::string_view name = {});
xmlNode* NextSiblingElement(const xmlNode* n, std::string_view name = {});
// "/wap-provisioningdoc/characteristic[2]/parm[1]"
std::string NodePath(const xmlNode* n);

}  // namespace omaiop::codec
