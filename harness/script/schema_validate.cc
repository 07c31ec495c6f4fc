#include "harness/script/schema_validate.h"

#include <libxml/xmlschemas.h>

#include <memory>

#include "codec/xml.h"

namespace omaiop::harness::script {
namespace {

struct SchemaErrors {
  std::string first;
  int line = 0;
  const xmlNode* node = nullptr;
};

void Collect(void* ctx, const xmlError* e) {
  auto* errs = static_cast<SchemaErrors*>(ctx);
  if (!errs->first.empty() || !e) return;
  errs->first = codec::TrimXmlSpace(e->message ? e->message : "schema error");
  errs->line = e->line;
  errs->node = static_cast<const xmlNode*>(e->node);
}

// libxml2 2.9 declares the callback with a non-const xmlErrorPtr.
void CollectCompat(void* ctx, xmlErrorPtr e) { Collect(ctx, e); }

struct SchemaDeleter {
  void operator()(xmlSchema* s) const { xmlSchemaFree(s); }
};

}  // namespace

codec::Status ValidateAgainstSchema(const xmlDoc* doc, const std::string& file,
                                    const SchemaSource& src,
                                    std::string_view kind) {
  std::string schema_name = std::string(src.name) + " (built in)";
  SchemaErrors parse_errs;
  xmlSchemaParserCtxtPtr pc;
  if (src.path.empty()) {
    pc = xmlSchemaNewMemParserCtxt(src.embedded.data(),
                                   static_cast<int>(src.embedded.size()));
  } else {
    schema_name = src.path;
    pc = xmlSchemaNewParserCtxt(src.path.c_str());
  }
  if (!pc) return codec::PathError("cannot read schema", schema_name, "XSD");
  xmlSchemaSetParserStructuredErrors(pc, CollectCompat, &parse_errs);
  std::unique_ptr<xmlSchema, SchemaDeleter> schema(xmlSchemaParse(pc));
  xmlSchemaFreeParserCtxt(pc);
  if (!schema)
    return codec::PathError("schema does not compile: " + parse_errs.first,
                            schema_name, "XSD 1.0");
  SchemaErrors errs;
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema.get());
  if (!vc) return codec::PathError("out of memory", schema_name, "XSD 1.0");
  xmlSchemaSetValidStructuredErrors(vc, CollectCompat, &errs);
  const int rc = xmlSchemaValidateDoc(vc, const_cast<xmlDoc*>(doc));
  xmlSchemaFreeValidCtxt(vc);
  if (rc == 0) return codec::OkStatus();
  int line = errs.line;
  if (line <= 0 && errs.node) line = static_cast<int>(xmlGetLineNo(errs.node));
  std::string where = file + ":" + std::to_string(line);
  if (errs.node && errs.node->type == XML_ELEMENT_NODE)
    where += " " + codec::NodePath(errs.node);
  const std::string msg = errs.first.empty() ? "invalid" : errs.first;
  return codec::PathError(
      std::string(kind) + " does not match the schema: " + msg, where,
      std::string(src.name) + ": " + msg);
}

}  // namespace omaiop::harness::script
