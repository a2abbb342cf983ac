using NiSharp.Atlases;
using NiSharp.Pipeline;

namespace NiSharp.Tests.Pipeline;

/// <summary>A participant level reads a cold atlas file once per process: the memory plan's region count comes from the
/// fit on the first run's grid, which every run on that grid then shares.</summary>
[Collection(PipelineCollection.Name)]
public class ParticipantAtlasReadTests(DemoCohorts cohorts)
{
    [Fact]
    public void A_cold_atlas_is_read_once_for_the_plan_and_every_subject_and_gives_the_outputs_of_a_warm_one()
    {
        var data = cohorts.Planted.DataDirectory;
        var ids = cohorts.Planted.Participants.Take(3).Select(p => p.Id).ToArray();
        var options = DemoCohorts.Options(data, cohorts.NewFolder("cold-atlas")) with { ParticipantLabels = ids, Jobs = 2, Reports = false };
        IReadOnlyList<ParticipantContext>? contexts = null;
        using (FittedAtlasCache.Off()) // cold, and nothing to read back from disk for the later subjects
            Assert.Equal(0, ParticipantLevel.Run(options, null, c => contexts = c).ExitCode);
        var atlas = Assert.Single(contexts!).Atlas;
        Assert.Equal(1, atlas.FileReads);

        // the same bytes as the shared cohort's run (cache on, every subject), subject by subject
        var expected = DemoCohorts.Contents(cohorts.PlantedResults, Compared);
        var actual = DemoCohorts.Contents(options.OutputDirectory, Compared);
        Assert.Equal(ids.Length, actual.Keys.Select(k => k.Split('/')[0]).Distinct().Count());
        foreach (var (name, bytes) in actual) Assert.True(expected.TryGetValue(name, out var e) && e.AsSpan().SequenceEqual(bytes), name);
    }

    // The subjects' derivatives (their logs and statuses, which hold times, live elsewhere).
    private static bool Compared(string relative) => relative.StartsWith("sub-", StringComparison.Ordinal);
}
