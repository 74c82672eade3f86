// Models are built after seeding libtorch's process-wide generator; tests run one at a time so no other
// test draws from it in between.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
