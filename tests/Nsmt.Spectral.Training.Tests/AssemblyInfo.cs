// libtorch's default random generator is process-wide: tests that seed it and then draw from it
// must not interleave with tests that draw concurrently, so this assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
