// JUnit XML (the Ant/Jenkins structure CI servers read) over a campaign.
// TTCN-3 verdicts map so that nothing but pass counts as passed:
//   pass   -> <testcase> alone
//   fail   -> <failure>        error -> <error>
//   inconc, none -> <skipped>  (verdict in the "verdict" <property>)
// One <testsuite> per enabler/area: the case ID up to its second '-'
// ("CP-BOOT-SEC-003" -> "CP-BOOT"). Schema: reports/schema/junit.xsd.
#pragma once

#include <string>
#include <string_view>

#include "codec/result.h"
#include "reports/campaign.h"

namespace omaiop::reports {

std::string ToJunitXml(const Campaign& c);

// Validates `xml` against an XSD (text) with libxml2's xmlSchemaValidateDoc;
// the diagnostic names the line and the schema's complaint.
codec::Status ValidateAgainstXsd(std::string_view xml, std::string_view xsd);

// reports/schema/junit.xsd, compiled into the binary.
std::string_view JunitXsd();

}  // namespace omaiop::reports
