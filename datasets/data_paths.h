// Paths named by annotation files and the catalog, kept inside the data root. Every reader
// resolves its video, frame-folder and subtitle paths here, so one rule holds for all of them.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace ppb::datasets {

// root/relative, lexically normalised. An absolute `relative`, or one that climbs out of `root`
// with "..", is an error naming `where` (the annotation file and item) and the path.
std::string confined_path(const std::string& root, const std::string& relative, const std::string& where);

// confined_path for a path that must name something below `root`: an empty path or "." (which
// would name the folder itself) is an error too.
std::string confined_item_path(const std::string& root, const std::string& relative, const std::string& where);

// Whether a file is an image a frame folder may hold (.jpg, .jpeg, .png, .bmp, .webp, any case):
// one rule for the decoder and for `ppbench data check`.
bool is_image_file(const std::filesystem::path& p);

// The first of dir/<stem><ext> (ext in `extensions`, in order) that exists. When none exists the
// first candidate is returned: a missing video is recorded per sample (and listed by `ppbench
// data check`), not treated as an annotation error. `stem` is confined to `dir` as above.
std::string find_video(const std::string& dir, const std::string& stem, const std::vector<std::string>& extensions,
                       const std::string& where);

}  // namespace ppb::datasets
