// Times NAM Core's streaming engine on raw float32 audio: processing only (no model loading, no file I/O).
// Our own driver around nam::get_dsp because Core's render tool needs its WAV I/O submodule, which is not mirrored.
//   core_bench MODEL.nam INPUT.f32 OUTPUT.f32 [--size S] [--fast-tanh] [--block N]
// One warm-up pass over the input (as our side warms its JIT), Reset (which prewarms, as Core's plugins do), then
// the timed pass; prints "process_s <thread CPU seconds> wall_s <wall seconds>" and writes the timed pass's output.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "NAM/activations.h"
#include "NAM/dsp.h"
#include "NAM/get_dsp.h"
#include "NAM/slimmable.h"

namespace
{
double ThreadSeconds()
{
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void Run(nam::DSP& model, std::vector<NAM_SAMPLE>& input, std::vector<NAM_SAMPLE>& output, int block)
{
  const size_t length = input.size();
  for (size_t start = 0; start < length; start += block)
  {
    const int count = static_cast<int>(std::min<size_t>(block, length - start));
    NAM_SAMPLE* in = input.data() + start;
    NAM_SAMPLE* out = output.data() + start;
    model.process(&in, &out, count);
  }
}
} // namespace

int main(int argc, char* argv[])
{
  std::vector<std::string> positional;
  double size = -1.0;
  bool fastTanh = false;
  int block = 64;
  for (int i = 1; i < argc; i++)
  {
    const std::string arg(argv[i]);
    if (arg == "--size" && i + 1 < argc)
      size = std::strtod(argv[++i], nullptr);
    else if (arg == "--block" && i + 1 < argc)
      block = std::atoi(argv[++i]);
    else if (arg == "--fast-tanh")
      fastTanh = true;
    else
      positional.push_back(arg);
  }
  if (positional.size() != 3 || block <= 0)
  {
    std::cerr << "usage: core_bench MODEL.nam INPUT.f32 OUTPUT.f32 [--size S] [--fast-tanh] [--block N]\n";
    return 2;
  }

  if (fastTanh)
    nam::activations::Activation::enable_fast_tanh();
  else
    nam::activations::Activation::disable_fast_tanh();

  std::unique_ptr<nam::DSP> model = nam::get_dsp(std::filesystem::path(positional[0]));
  if (!model || model->NumInputChannels() != 1 || model->NumOutputChannels() != 1)
  {
    std::cerr << "core_bench: " << positional[0] << " is not a mono NAM model\n";
    return 1;
  }
  if (size >= 0)
  {
    auto* slimmable = dynamic_cast<nam::SlimmableModel*>(model.get());
    if (!slimmable)
    {
      std::cerr << "core_bench: --size given but " << positional[0] << " is not slimmable\n";
      return 1;
    }
    slimmable->SetSlimmableSize(size);
  }

  std::ifstream in(positional[1], std::ios::binary);
  std::vector<float> raw(std::filesystem::file_size(positional[1]) / sizeof(float));
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size() * sizeof(float)));
  if (!in || raw.empty())
  {
    std::cerr << "core_bench: cannot read " << positional[1] << "\n";
    return 1;
  }
  std::vector<NAM_SAMPLE> input(raw.begin(), raw.end());
  std::vector<NAM_SAMPLE> output(input.size());

  const double rate = model->GetExpectedSampleRate() > 0 ? model->GetExpectedSampleRate() : 48000.0;
  model->Reset(rate, block);
  Run(*model, input, output, block); // warm-up: caches, page faults, branch predictors
  model->Reset(rate, block);

  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = ThreadSeconds();
  Run(*model, input, output, block);
  const double cpu = ThreadSeconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  std::vector<float> result(output.begin(), output.end());
  std::ofstream out(positional[2], std::ios::binary);
  out.write(reinterpret_cast<const char*>(result.data()), static_cast<std::streamsize>(result.size() * sizeof(float)));
  std::printf("process_s %.6f wall_s %.6f\n", cpu, wall);
  return out ? 0 : 1;
}
