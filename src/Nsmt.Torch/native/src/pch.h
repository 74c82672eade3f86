// Precompiled: ATen's operator declarations are most of every translation unit's compile time.
#pragma once
#include <ATen/ATen.h>
#include <string>
#include <vector>
