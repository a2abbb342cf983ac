using NiSharp.Bench;

// Benchmarks that compare NiSharp with a baseline measured in the same run (this machine is shared
// and noisy, so only ratios are meaningful). Usage: bench/run.sh [NAME...]; no name runs them all.
var all = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["nifti-read"] = NiftiReadBench.Run,
    ["connectivity"] = ConnectivityBench.Run,
    ["bids"] = BidsBench.Run,
    ["clean"] = CleanBench.Run,
    ["resample"] = ResampleBench.Run,
    ["pipeline"] = PipelineBench.Run,
    ["extract"] = ExtractBench.Run,
    ["extract-process"] = ExtractProcessBench.Run,
    ["run-atlases"] = RunAtlasesBench.Run,
    ["run-many"] = RunManyBench.Run,
    ["scale-out"] = ScaleOutBench.Run,
    ["fuzz"] = FuzzBench.Run,
    ["kill"] = KillBench.Run,
    ["denoising"] = DenoisingBench.Run,
    ["smooth"] = SmoothBench.Run,
    ["hvconfounds"] = HighVarianceBench.Run,
    ["cifti"] = CiftiBench.Run,
    ["startup"] = StartupBench.Run,
};
var names = args.Length > 0 ? args.TakeWhile(a => !a.StartsWith("--")).ToArray() : all.Keys.ToArray();
var rest = args.SkipWhile(a => !a.StartsWith("--")).ToArray();
foreach (var n in names)
{
    if (!all.TryGetValue(n, out var run))
    {
        Console.Error.WriteLine($"unknown benchmark '{n}'; known: {string.Join(", ", all.Keys)}");
        return 2;
    }
    Console.WriteLine($"== {n}");
    int rc = run(rest);
    if (rc != 0) return rc;
}
return 0;
