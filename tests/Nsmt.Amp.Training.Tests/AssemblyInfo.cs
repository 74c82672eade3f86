// Tests seed libtorch's process-wide generator and compare against draws made after torch.manual_seed,
// so they must not interleave: this assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
