using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

public sealed class IndexOrderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Files_are_in_ordinal_path_order_even_where_a_folder_name_prefixes_a_file_name()
    {
        // Ordinal order puts "sub-01.html" ('.' = 0x2E) before "sub-01/..." ('/' = 0x2F) and both before "sub-010".
        var root = Path.Combine(_dir.Path, "ds");
        string[] rel =
        [
            "sub-010/func/sub-010_task-rest_bold.nii.gz",
            "sub-01/func/sub-01_task-rest_bold.nii.gz",
            "sub-01.html",
            "sub-01/func/sub-01_task-rest_bold.json",
            "sub-01/anat/sub-01_T1w.nii.gz",
            "sub-01/anat.json",
            "sub-01/Anat/sub-01_T2w.nii.gz",
            "sub-01_T1w.json",
            "dataset_description.json",
            "CHANGES",
            "sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz",
            "sub-01/ses-1.json",
        ];
        BidsTree.Create(root, rel, new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        var layout = BidsLayout.Index(root);
        // The index descends only where BIDS puts files: not into "Anat" (datatypes are lower case), and beside the
        // datatype folders of a subject only sub-* files count ("anat.json", "ses-1.json" are not BIDS data).
        string[] notIndexed = ["sub-01/Anat/sub-01_T2w.nii.gz", "sub-01/anat.json", "sub-01/ses-1.json"];
        var expected = rel.Except(notIndexed).Select(r => Path.Combine(root, r)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, layout.Files.Paths());
        var problem = Assert.Single(layout.Problems);
        Assert.Equal(Path.Combine(root, "sub-01", "Anat"), problem.Path);
        Assert.Contains("not a BIDS datatype (they are lower case: 'anat')", problem.Problem);
    }
}
