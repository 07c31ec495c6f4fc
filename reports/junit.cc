#include "reports/junit.h"

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <map>
#include <memory>

#include "codec/xml.h"
#include "omaiop/junit_xsd.h"
#include "reports/text.h"

namespace omaiop::reports {
namespace {

using internal::CleanText;

const xmlChar* X(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}
// xmlNewProp and xmlNewTextChild store text literally; libxml2 escapes it
// when serializing. CleanText keeps out what XML 1.0 forbids.
void Attr(xmlNode* n, const char* name, const std::string& value) {
  xmlNewProp(n, X(name), X(CleanText(value)));
}
xmlNode* Child(xmlNode* parent, const char* name, const std::string& text) {
  return xmlNewTextChild(parent, nullptr, X(name), X(CleanText(text)));
}
xmlNode* Elem(xmlNode* parent, const char* name) {
  return xmlNewChild(parent, nullptr, X(name), nullptr);
}
void Property(xmlNode* props, const std::string& name,
              const std::string& value) {
  xmlNode* p = Elem(props, "property");
  Attr(p, "name", name);
  Attr(p, "value", value);
}

struct Tally {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::uint64_t time_us = 0;
  void Add(const CaseResult& c) {
    ++tests;
    time_us += c.duration_us;
    switch (c.verdict) {
      case Verdict::kFail:
        ++failures;
        break;
      case Verdict::kError:
        ++errors;
        break;
      case Verdict::kInconc:
      case Verdict::kNone:
        ++skipped;
        break;
      case Verdict::kPass:
        break;
    }
  }
  void Write(xmlNode* n) const {
    Attr(n, "tests", std::to_string(tests));
    Attr(n, "failures", std::to_string(failures));
    Attr(n, "errors", std::to_string(errors));
    Attr(n, "skipped", std::to_string(skipped));
    Attr(n, "time", internal::Seconds(time_us));
  }
};

std::string StepsText(const CaseResult& c) {
  std::string out;
  for (const StepResult& s : c.steps) {
    out += "step " + std::to_string(s.index) + " [" +
           std::string(VerdictName(s.verdict)) + "] " + s.kind + ": " +
           s.description;
    if (!s.reason.empty()) out += " -- " + s.reason;
    out += "\n";
  }
  return out;
}

std::string TraceText(const CaseResult& c) {
  std::string out;
  for (const TraceEntry& e : c.trace) {
    out += FormatTimeUtc(e.time_us) + " " + e.source + " " +
           std::string(DirectionName(e.direction)) +
           (e.peer.empty() ? "" : " " + e.peer) + " " + e.kind + ": " +
           e.summary;
    if (!e.rule.empty()) out += " [" + e.rule + "]";
    if (!e.raw.empty()) out += " " + codec::ToHex(e.raw);
    out += "\n";
  }
  return out;
}

void WriteCase(xmlNode* suite, const CaseResult& c, const std::string& area) {
  xmlNode* tc = Elem(suite, "testcase");
  Attr(tc, "name", c.id);
  Attr(tc, "classname", "omaiop." + area);
  Attr(tc, "time", internal::Seconds(c.duration_us));
  xmlNode* props = Elem(tc, "properties");
  Property(props, "verdict", std::string(VerdictName(c.verdict)));
  Property(props, "title", c.title);
  if (!c.reason.empty()) Property(props, "reason", c.reason);
  if (!c.rule.empty()) Property(props, "rule", c.rule);
  for (const std::string& r : c.requirements) Property(props, "requirement", r);
  for (const std::string& s : c.spec_refs) Property(props, "spec_ref", s);
  if (!c.iut.empty()) Property(props, "iut", c.iut);

  const std::string message =
      std::string(VerdictName(c.verdict)) + ": " +
      (c.verdict == Verdict::kNone && !c.applicability.empty() ? c.applicability
                                                               : c.reason);
  switch (c.verdict) {
    case Verdict::kFail: {
      xmlNode* f = Child(tc, "failure", StepsText(c));
      Attr(f, "message", message);
      Attr(f, "type", c.rule.empty() ? "fail" : c.rule);
      break;
    }
    case Verdict::kError: {
      xmlNode* e = Child(tc, "error", StepsText(c));
      Attr(e, "message", message);
      Attr(e, "type", c.rule.empty() ? "error" : c.rule);
      break;
    }
    case Verdict::kInconc:
    case Verdict::kNone:
      Attr(Elem(tc, "skipped"), "message", message);
      break;
    case Verdict::kPass:
      break;
  }
  const std::string out = StepsText(c) + TraceText(c);
  if (!out.empty()) Child(tc, "system-out", out);
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

}  // namespace

std::string ToJunitXml(const Campaign& c) {
  std::unique_ptr<xmlDoc, DocFree> doc(xmlNewDoc(X("1.0")));
  xmlNode* root = xmlNewNode(nullptr, X("testsuites"));
  xmlDocSetRootElement(doc.get(), root);
  Attr(root, "name", c.tool + " " + c.iut.name);

  // Suites in order of first appearance, cases in campaign order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CaseResult*>> by_area;
  for (const CaseResult& cr : c.cases) {
    const std::string area = internal::AreaOf(cr.id);
    if (!by_area.count(area)) order.push_back(area);
    by_area[area].push_back(&cr);
  }
  Tally all;
  for (const CaseResult& cr : c.cases) all.Add(cr);
  all.Write(root);
  Attr(root, "timestamp", FormatTimeUtc(c.started_us));

  std::size_t id = 0;
  for (const std::string& area : order) {
    xmlNode* suite = Elem(root, "testsuite");
    Attr(suite, "name", area);
    Tally t;
    std::uint64_t first = UINT64_MAX;
    for (const CaseResult* cr : by_area[area]) {
      t.Add(*cr);
      first = std::min(first, cr->started_us);
    }
    t.Write(suite);
    Attr(suite, "timestamp", FormatTimeUtc(first));
    Attr(suite, "hostname", "localhost");
    Attr(suite, "id", std::to_string(id++));
    Attr(suite, "package", "omaiop." + area);
    xmlNode* props = Elem(suite, "properties");
    Property(props, "tool", c.tool);
    Property(props, "version", c.version);
    Property(props, "iut", c.iut.name);
    Property(props, "adapter", c.iut.adapter);
    for (const CaseResult* cr : by_area[area]) WriteCase(suite, *cr, area);
  }
  return codec::SerializeXml(doc.get(), /*pretty=*/true);
}

namespace {
struct SchemaParserFree {
  void operator()(xmlSchemaParserCtxt* p) const { xmlSchemaFreeParserCtxt(p); }
};
struct SchemaFree {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};
struct ValidFree {
  void operator()(xmlSchemaValidCtxt* v) const { xmlSchemaFreeValidCtxt(v); }
};

// Collects libxml2's structured errors (line + message) instead of stderr.
void CollectError(void* ctx, xmlErrorPtr e) {
  auto* out = static_cast<std::string*>(ctx);
  if (!out->empty()) return;  // the first error is the useful one
  std::string msg = e->message ? e->message : "schema error";
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  *out = "line " + std::to_string(e->line) + ": " + msg;
}
}  // namespace

codec::Status ValidateAgainstXsd(std::string_view xml, std::string_view xsd) {
  std::string error;
  std::unique_ptr<xmlSchemaParserCtxt, SchemaParserFree> pctx(
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size())));
  if (!pctx)
    return codec::Error("cannot read the XSD", codec::Diagnostic::kNoOffset,
                        "XSD");
  xmlSchemaSetParserStructuredErrors(pctx.get(), CollectError, &error);
  std::unique_ptr<xmlSchema, SchemaFree> schema(xmlSchemaParse(pctx.get()));
  if (!schema)
    return codec::Error("the XSD does not compile: " + error,
                        codec::Diagnostic::kNoOffset, "XSD 1.0");
  auto doc = codec::ParseXml(xml, "JUnit XML");
  if (!doc.ok()) return doc.error();
  std::unique_ptr<xmlSchemaValidCtxt, ValidFree> vctx(
      xmlSchemaNewValidCtxt(schema.get()));
  xmlSchemaSetValidStructuredErrors(vctx.get(), CollectError, &error);
  if (xmlSchemaValidateDoc(vctx.get(), doc->get()) != 0)
    return codec::Error("not valid against the schema: " + error,
                        codec::Diagnostic::kNoOffset, "XSD 1.0");
  return codec::OkStatus();
}

std::string_view JunitXsd() { return internal::kJunitXsd; }

}  // namespace omaiop::reports
