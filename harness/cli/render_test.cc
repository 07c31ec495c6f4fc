#include "harness/cli/render.h"

#include <gtest/gtest.h>

namespace omaiop::cli {
namespace {

codec::ProtoNode Sample() {
  codec::ProtoNode root{"WSP Push", "", 0, 10, {}, {}};
  root.Add("Transaction ID", "0x01", 0, 1);
  auto& ct =
      root.Add("Content-Type", "application/vnd.wap.connectivity-wbxml", 3, 3);
  ct.notes.push_back(codec::Error("MAC is lower-case", 5, "ProvBoot §5.3"));
  return root;
}

TEST(Render, TextShowsOffsetLengthAndNesting) {
  std::string text = RenderText(Sample());
  EXPECT_NE(text.find("0x0000    10  WSP Push\n"), std::string::npos) << text;
  EXPECT_NE(text.find("0x0003     3      Content-Type: application/"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[expert] offset 5 (0x5): MAC is lower-case"),
            std::string::npos)
      << text;
}

TEST(Render, JsonKeepsTreeAndNotes) {
  auto j = ToJson(Sample());
  EXPECT_EQ(j["children"][1]["name"], "Content-Type");
  EXPECT_EQ(j["children"][1]["offset"], 3);
  EXPECT_EQ(j["children"][1]["notes"][0]["rule"], "ProvBoot §5.3");
  EXPECT_FALSE(j["children"][0].contains("children"));
}

}  // namespace
}  // namespace omaiop::cli
