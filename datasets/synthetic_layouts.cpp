#include "datasets/synthetic_layouts.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/builtin_readers.h"
#include "datasets/data_paths.h"
#include "datasets/dataset_catalog.h"
#include "datasets/ffmpeg_util.h"
#include "datasets/frame_sampling.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/synthetic_scene.h"

namespace fs = std::filesystem;

namespace ppb::datasets {
namespace {

using ojson = nlohmann::ordered_json;

constexpr int kWidth = 160, kHeight = 120;  // small pictures keep the instances quick to write and probe
constexpr int kFrames = 24, kFps = 8;       // 3 s clips
const std::vector<std::string> kColors = {"red", "green", "blue", "yellow"};
const std::vector<std::string> kDirections = {"left", "right", "up", "down"};
const std::vector<std::string> kCountWords = {"one", "two", "three", "four"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// What a clip shows; the questions ask about it.
struct Clip {
  std::string color;
  int count = 1;
  std::string direction;
  std::vector<bool> squares;  // one entry per shape: a square (true) or a disc
};

enum class Ask { color, count, direction };

struct Question {
  std::string text;                     // the question, ending in "?"
  std::string answer;                   // the short answer (colour, count word, direction)
  std::vector<std::string> candidates;  // answer options in a fixed order (shuffled by the caller)
};

Question question_about(const Clip& c, Ask what) {
  switch (what) {
    case Ask::color: return {"What colour are the moving shapes?", c.color, kColors};
    case Ask::count: return {"How many shapes are in the video?", kCountWords[c.count - 1], kCountWords};
    case Ask::direction: return {"In which direction do the shapes move?", c.direction, kDirections};
  }
  return {};
}

void write_json(const std::string& path, const ojson& j) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << j.dump(2) << "\n";
}

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << text;
}

// Writes clips (each path once) and hands out the per-dataset generator for option order.
class InstanceWriter {
 public:
  InstanceWriter(std::string dir, uint64_t seed) : dir_(std::move(dir)), seed_(seed) {}
  const std::string& dir() const { return dir_; }
  SplitMix64 rng_for(const std::string& dataset) const { return SplitMix64(derive_seed(seed_, "dataset:" + dataset)); }

  // The clip at `path`: a file whose extension picks the encoder, or a folder of %05d.jpg frames.
  Clip clip(const std::string& path, bool frame_folder = false) {
    const std::string rel = fs::path(path).lexically_relative(dir_).generic_string();
    SplitMix64 r(derive_seed(seed_, rel));
    Clip c;
    c.color = kColors[r.below(4)];
    c.count = 1 + r.below(3);
    c.direction = kDirections[r.below(4)];
    ShapeScene scene;
    scene.width = kWidth;
    scene.height = kHeight;
    scene.frames = kFrames;
    scene.color = synthetic_color_rgb(c.color);
    scene.direction = c.direction;
    for (int i = 0; i < c.count; ++i) scene.squares.push_back(r.below(2) == 1);
    c.squares = scene.squares;
    if (written_.insert(path).second) encode(path, scene, frame_folder);
    return c;
  }

 private:
  static void encode(const std::string& path, const ShapeScene& scene, bool frame_folder) {
    VideoWriterOptions o;
    o.fps = kFps;
    o.gop = 8;
    if (frame_folder) {
      fs::create_directories(path);
      o.codec = "mjpeg";
      o.max_b_frames = 0;  // intra-only
      write_scene_video(path + "/%05d.jpg", scene, o);
      return;
    }
    fs::create_directories(fs::path(path).parent_path());
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext == ".webm") o.codec = "libvpx";
    if (ext == ".gif") {
      o.codec = "gif";
      o.max_b_frames = 0;
    }
    if (ext == ".avi") o.max_b_frames = 0;  // AVI stores no presentation times
    write_scene_video(path, scene, o);
  }

  std::string dir_;
  uint64_t seed_;
  std::set<std::string> written_;
};

// The containers each dataset's real files come in, kept to those the catalog entry lists.
std::vector<std::string> containers_for(const DatasetEntry& e) {
  static const std::map<std::string, std::vector<std::string>> preferred = {
      {"msvd_qa", {".avi"}},          {"msrvtt_qa", {".mp4"}},
      {"tgif_qa", {".gif", ".mp4"}},  {"activitynet_qa", {".webm", ".mkv"}},
      {"vcg_generic", {".mkv", ".MP4"}}, {"vcg_temporal", {".mkv", ".MP4"}}, {"vcg_consistency", {".mkv", ".MP4"}},
      {"msvd_caption", {".avi"}},     {"msrvtt_caption", {".mp4"}},    {"dream1k", {".mp4"}}};
  const auto listed = e.text_list("extensions");
  if (listed.empty()) throw std::runtime_error(e.where("extensions") + ": empty");
  std::vector<std::string> out;
  if (auto it = preferred.find(e.name); it != preferred.end())
    for (const auto& ext : it->second)
      if (std::find(listed.begin(), listed.end(), ext) != listed.end()) out.push_back(ext);
  if (out.empty()) out.push_back(listed.front());
  return out;
}

// MSVD/MSRVTT/TGIF/ActivityNet-QA: test_q.json and test_a.json, the answers in another order.
int write_gpt_qa(InstanceWriter& w, const DatasetEntry& e) {
  const auto exts = containers_for(e);
  const std::string prefix = e.text_or("video_prefix", "");
  const std::string video_dir = e.path(w.dir(), "videos");
  const bool anet = !prefix.empty();  // ActivityNet-QA: string ids "v_<name>_<k>" and a question type
  const std::vector<std::pair<int, Ask>> plan = {{0, Ask::color}, {0, Ask::count}, {1, Ask::direction}};
  ojson questions = ojson::array(), answers = ojson::array();
  std::map<int, int> occurrence;
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto [v, ask] = plan[i];
    const std::string name = e.name + "_clip" + std::to_string(v);
    const Clip c = w.clip(video_dir + "/" + prefix + name + exts[static_cast<size_t>(v) % exts.size()]);
    const Question q = question_about(c, ask);
    ojson qid = anet ? ojson(prefix + name + "_" + std::to_string(occurrence[v]++)) : ojson(1000 + static_cast<int>(i));
    std::string text = q.text;
    if (anet) text = lower(text.substr(0, text.size() - 1));  // ActivityNet-QA: lowercase, no "?"
    questions.push_back({{"video_name", name}, {"question", text}, {"question_id", qid}});
    ojson a = {{"answer", q.answer}};
    if (anet) a["type"] = ask == Ask::color ? 4 : ask == Ask::count ? 7 : 0;
    a["question_id"] = qid;
    answers.insert(answers.begin(), a);  // reversed: the reader must join by question_id
  }
  write_json(e.path(w.dir(), "questions"), questions);
  write_json(e.path(w.dir(), "answers"), answers);
  return static_cast<int>(plan.size());
}

// VCG-Bench: one file per dimension over shared Test_Videos; a video asked twice gets ids _0, _1.
int write_vcg(InstanceWriter& w, const DatasetEntry& e) {
  const auto exts = containers_for(e);
  const std::string video_dir = e.path(w.dir(), "videos");
  const std::string dim = e.text("dimension");
  auto clip = [&](int v) {
    return std::make_pair("vcg_video" + std::to_string(v),
                          w.clip(video_dir + "/vcg_video" + std::to_string(v) + exts[static_cast<size_t>(v) % exts.size()]));
  };
  ojson items = ojson::array();
  if (dim == "consistency") {
    for (int v : {0, 1}) {
      const auto [name, c] = clip(v);
      items.push_back({{"video_name", name},
                       {"Q1", "What colour are the shapes in the video?"},
                       {"Q2", "Which colour do the moving objects have?"},
                       {"A", "The shapes are " + c.color + "."}});
    }
  } else {
    const std::vector<std::pair<int, Ask>> plan =
        dim == "temporal" ? std::vector<std::pair<int, Ask>>{{0, Ask::direction}, {1, Ask::direction}}
                          : std::vector<std::pair<int, Ask>>{{0, Ask::color}, {0, Ask::count}, {1, Ask::direction}};
    for (const auto& [v, ask] : plan) {
      const auto [name, c] = clip(v);
      const Question q = question_about(c, ask);
      items.push_back({{"video_name", name}, {"Q", q.text}, {"A", "The answer is " + q.answer + "."}});
    }
  }
  write_json(e.path(w.dir(), "annotations"), items);
  return static_cast<int>(items.size());
}

ojson mc_item(SplitMix64& rng, const Clip& c, Ask ask, const std::string& video) {
  Question q = question_about(c, ask);
  rng.shuffle(q.candidates);
  return {{"video", video}, {"question", q.text}, {"candidates", q.candidates}, {"answer", q.answer}};
}

// MVBench: one item each in the first frame-folder task, the first bounded video task and the
// first unbounded one; the other task files hold no items.
int write_mvbench(InstanceWriter& w, const DatasetEntry& e) {
  SplitMix64 rng = w.rng_for(e.name);
  const std::string json_dir = e.path(w.dir(), "annotations"), video_root = e.path(w.dir(), "videos");
  bool frames_done = false, bounded_done = false, plain_done = false;
  int n = 0;
  for (const auto& t : mvbench_tasks(e)) {
    ojson items = ojson::array();
    const std::string folder = confined_path(video_root, t.folder, e.where("tasks"));
    if (t.frames_fps > 0 && !frames_done) {
      const std::string name = t.name + "_clip0";
      ojson item = mc_item(rng, w.clip(folder + "/" + name, true), Ask::direction, name);
      if (t.bounded) {
        item["start"] = 1.0;  // seconds of the 8 s frame folder (24 frames at 3 fps)
        item["end"] = 6.0;
      }
      items.push_back(item);
      frames_done = true;
    } else if (t.frames_fps == 0 && t.bounded && !bounded_done) {
      const std::string name = t.name + "_clip0.mp4";
      ojson item = mc_item(rng, w.clip(folder + "/" + name), Ask::count, name);
      item["start"] = 0.5;
      item["end"] = 2.5;
      items.push_back(item);
      bounded_done = true;
    } else if (t.frames_fps == 0 && !t.bounded && !plain_done) {
      const std::string name = t.name + "_clip0.mp4";
      items.push_back(mc_item(rng, w.clip(folder + "/" + name), Ask::color, name));
      plain_done = true;
    }
    n += static_cast<int>(items.size());
    write_json(confined_item_path(json_dir, t.name + ".json", e.where("tasks")), items);
  }
  return n;
}

// MLVU dev: one item in each of the first two task files, the others empty.
int write_mlvu(InstanceWriter& w, const DatasetEntry& e) {
  SplitMix64 rng = w.rng_for(e.name);
  const std::string json_dir = e.path(w.dir(), "annotations"), video_root = e.path(w.dir(), "videos");
  int n = 0;
  for (const auto& t : mlvu_tasks(e)) {
    ojson items = ojson::array();
    if (n < 2) {
      const std::string name = t.name + "_0.mp4";
      const Clip c = w.clip(confined_item_path(confined_path(video_root, t.folder, e.where("tasks")), name, e.name));
      ojson item = mc_item(rng, c, n == 0 ? Ask::color : Ask::count, name);
      items.push_back({{"video", name}, {"duration", 3.0}, {"question", item["question"]},
                       {"candidates", item["candidates"]}, {"answer", item["answer"]}, {"question_type", t.name}});
      ++n;
    }
    write_json(confined_item_path(json_dir, t.file, e.where("tasks")), items);
  }
  return n;
}

// Video-MME: two videos, three questions, an .srt for the first video only.
int write_videomme(InstanceWriter& w, const DatasetEntry& e) {
  SplitMix64 rng = w.rng_for(e.name);
  const std::string video_dir = e.path(w.dir(), "videos"), sub_dir = e.path(w.dir(), "subtitles");
  const std::vector<std::pair<int, Ask>> plan = {{0, Ask::color}, {0, Ask::direction}, {1, Ask::count}};
  static const char* const kTaskType[] = {"Attribute Perception", "Counting Problem", "Object Reasoning"};
  ojson items = ojson::array();
  std::map<int, int> per_video;
  for (const auto& [v, ask] : plan) {
    const std::string yt = "synthYT" + std::to_string(v);
    const Clip c = w.clip(video_dir + "/" + yt + ".mp4");
    Question q = question_about(c, ask);
    rng.shuffle(q.candidates);
    ojson options = ojson::array();
    std::string letter;
    for (size_t k = 0; k < q.candidates.size(); ++k) {
      const char l = static_cast<char>('A' + k);
      options.push_back(std::string(1, l) + ". " + q.candidates[k]);
      if (q.candidates[k] == q.answer) letter = std::string(1, l);
    }
    char vid[16];
    std::snprintf(vid, sizeof vid, "%03d", v + 1);
    items.push_back({{"video_id", vid}, {"duration", "short"}, {"domain", "Knowledge"},
                     {"sub_category", "Synthetic Shapes"}, {"videoID", yt},
                     {"question_id", std::string(vid) + "-" + std::to_string(++per_video[v])},
                     {"task_type", kTaskType[static_cast<int>(ask)]}, {"question", q.text}, {"options", options},
                     {"answer", letter}});
    if (v == 0 && per_video[v] == 1)
      write_text(sub_dir + "/" + yt + ".srt",
                 "1\n00:00:00,000 --> 00:00:01,500\nHere come the " + c.color + " shapes.\n\n"
                 "2\n00:00:01,500 --> 00:00:03,000\nThey keep moving\n" + c.direction + ".\n");
  }
  write_json(e.path(w.dir(), "annotations"), items);
  return static_cast<int>(items.size());
}

// EgoSchema: three questions, two of them in the answered subset (and only those have clips).
int write_egoschema(InstanceWriter& w, const DatasetEntry& e) {
  SplitMix64 rng = w.rng_for(e.name);
  const std::string video_dir = e.path(w.dir(), "videos");
  const std::string ext = e.text_list("extensions").at(0);
  ojson questions = ojson::array(), answers = ojson::object();
  const Ask asks[] = {Ask::color, Ask::direction, Ask::count};
  for (int i = 0; i < 3; ++i) {
    const std::string uid = "synth-ego-000" + std::to_string(i);
    Clip c{"red", 1, "left", {true}};
    if (i < 2) c = w.clip(video_dir + "/" + uid + ext);
    Question q = question_about(c, asks[i]);
    q.candidates.push_back("none of them");
    rng.shuffle(q.candidates);
    ojson item = {{"q_uid", uid}, {"google_drive_id", "synthetic"}, {"question", q.text}};
    for (size_t k = 0; k < q.candidates.size(); ++k) {
      item["option " + std::to_string(k)] = q.candidates[k];
      if (q.candidates[k] == q.answer && i < 2) answers[uid] = static_cast<int>(k);
    }
    questions.push_back(item);
  }
  write_json(e.path(w.dir(), "questions"), questions);
  write_json(e.path(w.dir(), "answers"), answers);
  return 2;
}

// LongVideoBench: two items, one subtitle file in each of the two JSON cue formats.
int write_longvideobench(InstanceWriter& w, const DatasetEntry& e) {
  SplitMix64 rng = w.rng_for(e.name);
  const std::string video_dir = e.path(w.dir(), "videos"), sub_dir = e.path(w.dir(), "subtitles");
  ojson items = ojson::array();
  for (int i = 0; i < 2; ++i) {
    const std::string vid = "synthLVB" + std::to_string(i);
    const Clip c = w.clip(video_dir + "/" + vid + ".mp4");
    Question q = question_about(c, i == 0 ? Ask::color : Ask::direction);
    rng.shuffle(q.candidates);
    const int choice = static_cast<int>(std::find(q.candidates.begin(), q.candidates.end(), q.answer) -
                                        q.candidates.begin());
    const double offset = i == 0 ? 0.0 : 2.0;  // the second clip starts 2 s into its source's subtitles
    ojson cues = ojson::array();
    if (i == 0) {
      cues.push_back({{"timestamp", {0.0, 1.5}}, {"text", "Look at the " + c.color + " shapes."}});
      cues.push_back({{"timestamp", {1.5, 3.0}}, {"text", "They move " + c.direction + "."}});
    } else {
      cues.push_back({{"start", "00:00:02.00"}, {"end", "00:00:03.50"}, {"line", "Here they come."}});
      cues.push_back({{"start", "00:00:03.50"}, {"end", nullptr}, {"line", "And off they go."}});
    }
    write_json(sub_dir + "/" + vid + "_en.json", cues);
    items.push_back({{"video_id", vid}, {"id", vid + "_0"}, {"video_path", vid + ".mp4"},
                     {"subtitle_path", vid + "_en.json"}, {"correct_choice", choice}, {"question", q.text},
                     {"candidates", q.candidates}, {"duration", 3.0}, {"duration_group", 15},
                     {"question_category", "E2O"}, {"topic_category", "synthetic"}, {"level", "L1-Perception"},
                     {"starting_timestamp_for_subtitles", offset}});
  }
  write_json(e.path(w.dir(), "annotations"), items);
  return static_cast<int>(items.size());
}

// ---- captions (Tarsier JSONL) ----

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

// "a red square", "two blue discs", "two green squares and a green disc": what the clip shows.
std::string shapes_phrase(const Clip& c) {
  int squares = 0;
  for (bool sq : c.squares) squares += sq;
  const int discs = static_cast<int>(c.squares.size()) - squares;
  auto part = [&](int n, const char* noun) {
    return (n == 1 ? std::string("a") : kCountWords[static_cast<size_t>(n - 1)]) + " " + c.color + " " + noun +
           (n == 1 ? "" : "s");
  };
  if (discs == 0) return part(squares, "square");
  if (squares == 0) return part(discs, "disc");
  return part(squares, "square") + " and " + part(discs, "disc");
}

std::string heading(const std::string& direction) {
  if (direction == "up") return "upwards";
  if (direction == "down") return "downwards";
  return "to the " + direction;
}

// Where the shapes enter the picture: the side opposite their heading.
std::string entry_side(const std::string& direction) {
  static const std::map<std::string, std::string> from = {
      {"left", "right side"}, {"right", "left side"}, {"up", "bottom"}, {"down", "top"}};
  return from.at(direction);
}

// Reference captions of a clip, worded the way different annotators would put it.
std::vector<std::string> clip_captions(const Clip& c) {
  const bool one = c.count == 1;
  const std::string shapes = shapes_phrase(c);
  return {capitalised(shapes) + (one ? " moves " : " move ") + heading(c.direction) + ".",
          capitalised(kCountWords[static_cast<size_t>(c.count - 1)]) + " " + c.color + (one ? " shape slides " : " shapes slide ") +
              heading(c.direction) + " over a grey background.",
          (one ? "A " + c.color + " shape is moving " : "Some " + c.color + " shapes are moving ") + c.direction + ".",
          "On a grey background " + shapes + (one ? " travels " : " travel ") + heading(c.direction) + "."};
}

// MSVD-Caption / MSR-VTT-Caption: three clips, each line a list of reference captions.
int write_tarsier_caption(InstanceWriter& w, const DatasetEntry& e) {
  const auto exts = containers_for(e);
  const std::string video_dir = e.path(w.dir(), "videos");
  const bool msvd = e.name.find("msvd") != std::string::npos;
  std::string lines;
  for (int i = 0; i < 3; ++i) {
    // Upstream ids: MSVD's <youtube id>_<start>_<end>, MSR-VTT's video<N>.
    const std::string vid = msvd ? "synthMSVD" + std::to_string(i) + "_0_3" : "video90" + std::to_string(i);
    const Clip c = w.clip(video_dir + "/" + vid + exts[static_cast<size_t>(i) % exts.size()]);
    ojson refs = ojson::array();
    for (const auto& cap : clip_captions(c)) refs.push_back(cap);
    const ojson item = {{"idx", i},
                        {"dataset", msvd ? "MSVD-Caption-test" : "MSR-VTT-Caption-test"},
                        {"text", {{"prompt", "<video> Describe the video briefly."}, {"response", refs}}},
                        {"video_file", "<placeholder>"},
                        {"vid", vid}};
    lines += item.dump() + "\n";
  }
  write_text(e.path(w.dir(), "annotations"), lines);
  return 3;
}

// DREAM-1K: three videos in two subsets, events per video; the last has an empty event list
// (Tarsier then judges the reference description as one event).
int write_dream1k(InstanceWriter& w, const DatasetEntry& e) {
  const auto exts = containers_for(e);
  const std::string video_dir = e.path(w.dir(), "videos");
  const char* const subsets[] = {"stock", "youtube", "stock"};
  std::string lines;
  for (int i = 0; i < 3; ++i) {
    const int vid = i + 1;
    const Clip c = w.clip(video_dir + "/" + std::to_string(vid) + exts[static_cast<size_t>(i) % exts.size()]);
    const bool one = c.count == 1;
    const std::string shapes = shapes_phrase(c);
    std::vector<std::string> events = {
        capitalised(shapes) + (one ? " appears at the " : " appear at the ") + entry_side(c.direction) + ".",
        capitalised(shapes) + (one ? " moves " : " move ") + heading(c.direction) + ".",
        capitalised(shapes) + (one ? " leaves" : " leave") + " the picture."};
    const std::string description = capitalised(shapes) + (one ? " appears at the " : " appear at the ") +
                                    entry_side(c.direction) + " of a grey background, " + (one ? "moves " : "move ") +
                                    heading(c.direction) + " at a steady pace and then " +
                                    (one ? "leaves" : "leave") + " the picture.";
    if (i == 2) events.clear();
    const ojson item = {{"idx", vid},
                        {"dataset", std::string("DREAM/") + subsets[i]},
                        {"text", {{"prompt", "<video>\nDescribe what happens in the video in detail."},
                                  {"response", description}}},
                        {"video_file", "<placeholder>"},
                        {"extra_info", {{"duration", 3.0}, {"n_subjects", c.count}, {"n_shots", 1},
                                        {"events", events}, {"n_events", events.size()}}},
                        {"vid", vid}};
    lines += item.dump() + "\n";
  }
  write_text(e.path(w.dir(), "annotations"), lines);
  return 3;
}

}  // namespace

std::vector<std::string> synthetic_layout_names(const std::string& catalog_path) {
  std::vector<std::string> out;
  for (const auto& [name, e] : read_catalog(catalog_path))
    if (name != "synth_mcq") out.push_back(name);
  return out;
}

std::map<std::string, int> write_synthetic_layouts(const std::string& dir, const std::vector<std::string>& names,
                                                   const SyntheticLayoutOptions& opts) {
  const std::string catalog_path = opts.catalog_path.empty() ? default_catalog_path() : opts.catalog_path;
  const auto catalog = read_catalog(catalog_path);
  quiet_ffmpeg_logs();  // encoders print banners (libvpx) that say nothing about the data
  InstanceWriter w(fs::path(dir).lexically_normal().string(), opts.seed);
  for (const auto& name : names)  // every name checked before anything is written
    if (!catalog.count(name) || name == "synth_mcq") {
      std::string known;
      for (const auto& n : synthetic_layout_names(catalog_path)) known += (known.empty() ? "" : ", ") + n;
      throw std::runtime_error("no synthetic layout for '" + name + "' (known: " + known + ")");
    }
  std::map<std::string, int> out;
  for (const auto& name : names) {
    const DatasetEntry& e = catalog.at(name);
    const std::string& r = e.reader;
    if (r == "gpt_qa") out[name] = write_gpt_qa(w, e);
    else if (r == "vcg") out[name] = write_vcg(w, e);
    else if (r == "mvbench") out[name] = write_mvbench(w, e);
    else if (r == "mlvu") out[name] = write_mlvu(w, e);
    else if (r == "videomme") out[name] = write_videomme(w, e);
    else if (r == "egoschema_subset") out[name] = write_egoschema(w, e);
    else if (r == "longvideobench") out[name] = write_longvideobench(w, e);
    else if (r == "tarsier_caption") out[name] = write_tarsier_caption(w, e);
    else if (r == "dream1k") out[name] = write_dream1k(w, e);
    else throw std::runtime_error("no synthetic writer for reader '" + r + "' (dataset '" + name + "')");
  }
  return out;
}

}  // namespace ppb::datasets
