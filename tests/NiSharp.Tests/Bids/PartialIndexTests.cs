using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

/// <summary>
/// The index of some subjects' folders (<see cref="BidsLayout.IndexSubjects"/>, what <c>run … participant
/// --participant-label</c> reads) holds what the whole index holds for them: their files and the root's, their problems
/// (a folder that is another subject's folder included), the warnings, the sidecars they inherit.
/// </summary>
public sealed class PartialIndexTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("sub-03", "01")]
    [InlineData("sub-03", "02")]
    [InlineData("sub-03", "03")]
    [InlineData("sub-03", "01", "03")]
    [InlineData("sub-03", "02", "99")]
    // The link before its target: the whole index keeps the link's name (sub-00) and refuses sub-01's, and so must an
    // index of sub-01 alone, which then looks at the other subject folders.
    [InlineData("sub-00", "01")]
    [InlineData("sub-00", "00")]
    // No link: no subject folder but the selected ones is examined, and the index is the same.
    [InlineData(null, "01")]
    [InlineData(null, "01", "04")]
    public void A_partial_index_holds_what_the_whole_index_holds_for_its_subjects(string? link, params string[] subjects)
    {
        var root = Path.Combine(_dir.Path, "ds");
        const string bold = "func/sub-{0}_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz";
        string[] rel =
        [
            "task-rest_bold.json", "README", "sub-01_sessions.tsv",
            string.Format(bold, "01").Insert(0, "sub-01/"), "sub-01/anat/sub-01_T1w.nii.gz",
            string.Format(bold, "02").Insert(0, "sub-02/"), "sub-02/func/sub-02_task-rest_notbids",
            "sub-02/func/sub-01_task-rest_bold.nii.gz", "sub-02/Anat/sub-02_T1w.nii.gz",
            string.Format(bold, "04").Insert(0, "sub-04/"),
        ];
        BidsTree.Create(root, rel, new Dictionary<string, string> { ["task-rest_bold.json"] = """{"RepetitionTime": 2.0}""" });
        if (link is not null) Directory.CreateSymbolicLink(Path.Combine(root, link), Path.Combine(root, "sub-01")); // the same folder twice

        var whole = BidsLayout.Index(root);
        var partial = BidsLayout.IndexSubjects(root, subjects);
        bool Kept(string path)
        {
            var first = Path.GetRelativePath(root, path).Split('/')[0];
            return !Directory.Exists(Path.Combine(root, first)) || subjects.Any(s => first == "sub-" + s);
        }
        Assert.Equal(whole.Files.Paths().Where(Kept), partial.Files.Paths());
        Assert.Equal(whole.Problems.Where(p => Kept(p.Path)), partial.Problems);
        Assert.Contains(whole.Problems, p => !Kept(p.Path)); // the test tells the two apart
        if (link == "sub-00" && subjects.Contains("01"))
            Assert.Contains(partial.Problems, p => p.Problem.StartsWith("is the same folder as", StringComparison.Ordinal));
        Assert.Equal(whole.Warnings, partial.Warnings);
        foreach (var run in partial.GetBoldRuns())
            Assert.Equal(whole.GetBoldRun(run.Bold.Path).RepetitionTime, run.RepetitionTime);
        Assert.True(partial.IsPartial);
        Assert.False(whole.IsPartial);
    }
}
