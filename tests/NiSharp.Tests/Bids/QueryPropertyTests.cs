using CsCheck;
using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>Invariants of queries on random datasets, checked against a plain filter over the file list.</summary>
public sealed class QueryPropertyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly BidsLayout _layout;
    private static readonly string[] Subjects = ["01", "02", "03", "10"];
    private static readonly string[] Spaces = ["MNI152NLin2009cAsym", "T1w"];
    private static readonly string[] Runs = ["1", "2", "01"];

    public QueryPropertyTests()
    {
        // One fixed random dataset (seeded), queried many ways.
        var rng = new Random(7);
        var files = new HashSet<string>();
        foreach (var s in Subjects)
        for (int i = 0; i < 40; i++)
        {
            var parts = new List<string> { $"sub-{s}", "task-" + (rng.Next(2) == 0 ? "rest" : "nback") };
            if (rng.Next(2) == 0) parts.Add("run-" + Runs[rng.Next(Runs.Length)]);
            if (rng.Next(3) > 0) parts.Add("space-" + Spaces[rng.Next(2)]);
            if (rng.Next(2) == 0) parts.Add("desc-" + (rng.Next(2) == 0 ? "preproc" : "brain"));
            var suffix = new[] { "bold", "mask", "boldref" }[rng.Next(3)];
            var ext = new[] { ".nii.gz", ".json", ".nii" }[rng.Next(3)];
            files.Add($"sub-{s}/func/{string.Join('_', parts)}_{suffix}{ext}");
        }
        var root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(root, files, new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        _layout = BidsLayout.Index(root);
    }

    public void Dispose() => _dir.Dispose();

    private static readonly Gen<EntityFilter> SubjectFilter = Gen.Frequency(
        (3, Gen.Const(default(EntityFilter))),
        (3, Gen.OneOfConst(Subjects).Select(s => (EntityFilter)s)),
        (2, Gen.Shuffle(Subjects, 0, 3).Select(a => (EntityFilter)a)));

    private static readonly Gen<EntityFilter> SpaceFilter = Gen.Frequency(
        (3, Gen.Const(default(EntityFilter))),
        (3, Gen.OneOfConst(Spaces).Select(s => (EntityFilter)s)),
        (1, Gen.Const(BidsQuery.None)),
        (1, Gen.Const(BidsQuery.Any)));

    private static readonly Gen<EntityFilter> RunFilter = Gen.Frequency(
        (3, Gen.Const(default(EntityFilter))),
        (3, Gen.OneOfConst("1", "01", "2", "002").Select(r => (EntityFilter)r)),
        (1, Gen.Const(BidsQuery.None)));

    [Fact]
    public void Get_equals_filtering_every_file_with_the_query_and_stays_sorted()
    {
        Gen.Select(SubjectFilter, SpaceFilter, RunFilter, Gen.OneOfConst<string?>(null, "bold", "mask"), Gen.OneOfConst<string?>(null, "nii.gz", ".json"))
            .Sample(t =>
            {
                var (sub, space, run, suffix, ext) = t;
                var q = BidsLayout.Query(subject: sub, space: space, run: run,
                    suffix: suffix is null ? default : suffix, extension: ext is null ? default : ext);
                var got = _layout.Get(q);
                var expected = _layout.Files.Where(q.Matches).ToList();
                Assert.Equal(expected.Paths(), got.Paths());
                Assert.Equal(got.Paths().Order(StringComparer.Ordinal), got.Paths());
            });
    }

    [Fact]
    public void Absent_and_present_split_every_result_in_two()
    {
        Gen.Select(SubjectFilter, Gen.OneOfConst("space", "run", "desc")).Sample(t =>
        {
            var (sub, entity) = t;
            var all = _layout.Get(new BidsQuery().Where("sub", sub));
            var absent = _layout.Get(new BidsQuery().Where("sub", sub).Where(entity, BidsQuery.None));
            var present = _layout.Get(new BidsQuery().Where("sub", sub).Where(entity, BidsQuery.Any));
            Assert.Equal(all.Count, absent.Count + present.Count);
            Assert.Empty(absent.Intersect(present));
        });
    }

    [Fact]
    public void A_list_of_labels_is_the_union_of_single_label_queries()
    {
        Gen.Shuffle(Subjects, 1, 4).Sample(subs =>
        {
            var union = subs.SelectMany(s => _layout.Get(subject: s, suffix: "bold")).Paths().Order(StringComparer.Ordinal);
            Assert.Equal(union, _layout.Get(subject: subs, suffix: "bold").Paths());
        });
    }

    [Fact]
    public void Run_1_and_run_01_are_the_same_index()
    {
        Assert.Equal(_layout.Get(run: "1").Paths(), _layout.Get(run: "01").Paths());
        Assert.NotEmpty(_layout.Get(run: "1"));
        Assert.Contains(_layout.Get(run: "1"), f => f.Run == "01");
        Assert.Contains(_layout.Get(run: "1"), f => f.Run == "1");
    }
}
