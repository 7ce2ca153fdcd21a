// Catch2 for tests that touch LibTorch. LibTorch's logging (glog) defines CHECK as a fatal
// assertion that Catch never sees; including ATen first and dropping that definition leaves
// CHECK as Catch's counted, non-fatal check.
#pragma once
#include <ATen/ATen.h>
#undef CHECK
#include <catch2/catch.hpp>
