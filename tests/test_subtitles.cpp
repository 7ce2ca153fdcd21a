// Subtitle cues: SubRip with a BOM, CRLF and multi-line cues; LongVideoBench's two JSON cue forms
// with offsets and open ends; and the cues shown at sampled frame times.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "datasets/subtitles.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::TempDir;

TEST_CASE("SRT cues with a BOM, CRLF line ends and several lines", "[subtitles]") {
  TempDir d("srt");
  std::ofstream(d / "a.srt", std::ios::binary)
      << "\xEF\xBB\xBF" "1\r\n00:00:01,500 --> 00:00:03,250\r\nHello there.\r\nSecond line.\r\n\r\n"
         "2\r\n00:01:02,000 --> 01:00:00,010 X1:10 X2:20\r\n<font color=\"white\" size=\".72c\">Bye</font>\r\n\r\n\r\n"
         "3\r\n00:00:05,000 --> 00:00:06,000\r\nlast";
  const auto cues = read_srt(d / "a.srt");
  REQUIRE(cues.size() == 3);
  CHECK(cues[0].start_s == Approx(1.5));
  CHECK(cues[0].end_s == Approx(3.25));
  CHECK(cues[0].text == "Hello there.\nSecond line.");
  CHECK(cues[1].start_s == Approx(62.0));
  CHECK(cues[1].end_s == Approx(3600.01));
  CHECK(cues[1].text == "<font color=\"white\" size=\".72c\">Bye</font>");
  CHECK(cues[2].text == "last");
  CHECK(read_subtitles(d / "a.srt").size() == 3);
}

TEST_CASE("a malformed SRT timing line is an error naming the file and line", "[subtitles]") {
  CHECK_THROWS_WITH(parse_srt("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03 -> 00:00:04\nbad\n", "x.srt"),
                    Catch::Contains("x.srt line 6"));
  CHECK(parse_srt("", "empty.srt").empty());
}

TEST_CASE("LongVideoBench JSON cues in both forms, offset and open end", "[subtitles]") {
  TempDir d("lvbsub");
  std::ofstream(d / "a_en.json") << R"([{"timestamp": [10.0, 12.5], "text": "first"},
                                        {"timestamp": [12.5, null], "text": "second"}])";
  auto a = read_lvb_subtitles(d / "a_en.json", 10.0, 99.0);
  REQUIRE(a.size() == 2);
  CHECK(a[0].start_s == Approx(0.0));
  CHECK(a[0].end_s == Approx(2.5));
  CHECK(a[1].start_s == Approx(2.5));
  CHECK(a[1].end_s == Approx(89.0));  // the open end becomes the duration (99), offset like every time
  std::ofstream(d / "b_en.json") << R"([{"start": "00:01:02.50", "end": "00:01:04.00", "line": "third"},
                                        {"start": "00:01:04.00", "end": null, "line": "fourth"}])";
  auto b = read_subtitles(d / "b_en.json", 2.0);
  REQUIRE(b.size() == 2);
  CHECK(b[0].start_s == Approx(60.5));
  CHECK(b[0].end_s == Approx(62.0));
  CHECK(b[0].text == "third");
  CHECK(std::isinf(b[1].end_s));
  CHECK_THROWS_WITH(parse_lvb_subtitles(nlohmann::json::parse(R"([{"timestamp": [1, 2], "line": "x"}])"), "c.json"),
                    Catch::Contains("c.json cue 0") && Catch::Contains("'text'"));
}

TEST_CASE("cues at frames: [start, end) holds a frame time, each cue once, in cue order", "[subtitles]") {
  const std::vector<SubtitleCue> cues = {
      {0.0, 2.0, "a"}, {2.0, 4.0, "b"}, {4.0, 6.0, "a"}, {6.0, 8.0, "c"}, {9.0, 10.0, "d"}};
  // 2.0 falls in b, not in the cue that ends at 2.0; nothing falls in c; 4.5 repeats a.
  CHECK(cues_at_frames(cues, {2.0, 4.5, 9.99}) == std::vector<std::string>{"b", "a", "d"});
  CHECK(cues_at_frames(cues, {8.5}).empty());
  CHECK(cues_at_frames(cues, {7.0, 0.5}) == std::vector<std::string>{"a", "c"});
  // Two cues with the same text are two cues: both count when frames fall in both ("Yeah." twice).
  CHECK(cues_at_frames(cues, {0.5, 1.5, 4.5}) == std::vector<std::string>{"a", "a"});
}
