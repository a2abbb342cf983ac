using NiSharp.Bids;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Bids;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Folder_that_does_not_exist_fails_with_its_name()
    {
        var missing = Path.Combine(_dir.Path, "no-such-dataset");
        var e = Assert.Throws<NiSharpException>(() => BidsLayout.Index(missing));
        Assert.Equal($"{missing}: dataset folder does not exist", e.Message);
    }

    [Fact]
    public void A_file_given_as_the_dataset_fails_clearly()
    {
        var file = _dir.File("participants.tsv");
        File.WriteAllText(file, "participant_id\n");
        var e = Assert.Throws<NiSharpException>(() => BidsLayout.Index(file));
        Assert.Equal($"{file}: is a file, not a dataset folder", e.Message);
    }

    [Fact]
    public void Missing_dataset_description_indexes_anyway_and_warns_once()
    {
        var root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(root, ["sub-01/func/sub-01_task-rest_bold.nii.gz", "sub-02/func/sub-02_task-rest_bold.nii.gz"]);
        var layout = BidsLayout.Index(root);
        var w = Assert.Single(layout.Warnings);
        Assert.Contains("no dataset_description.json", w);
        Assert.Null(layout.Description);
        Assert.Equal(["01", "02"], layout.GetSubjects());
        Assert.Equal(2, layout.Get(suffix: "bold").Count);
        Assert.Single(layout.Warnings);
    }

    [Fact]
    public void Invalid_dataset_description_fails_only_when_read()
    {
        var root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(root, ["sub-01/anat/sub-01_T1w.nii.gz"], new Dictionary<string, string> { ["dataset_description.json"] = "{\"Name\": " });
        var layout = BidsLayout.Index(root);
        Assert.Single(layout.Files, f => f.Suffix == "T1w");
        var e = Assert.Throws<NiSharpException>(() => layout.Description);
        Assert.StartsWith(Path.Combine(root, "dataset_description.json") + ": invalid JSON", e.Message);
    }

    [Fact]
    public void Names_that_do_not_parse_are_listed_as_problems_and_the_rest_is_indexed()
    {
        var root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(root,
        [
            "dataset_description.json",
            "sub-01/func/sub-01_task-rest_bold.nii.gz",
            "sub-01/func/sub-01_task-rest copy_bold.nii.gz",
            "sub-01/func/sub-01__task-rest_bold.nii.gz",
            "sub-01/func/sub-02_task-rest_bold.nii.gz",
            "sub-01/ses-1/func/sub-01_ses-2_task-rest_bold.nii.gz",
            "sub-01/func/.DS_Store",
            "sub-01/func/notes from the scan.txt",
            "sub-x_y/anat/T1w.nii.gz",
        ], new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        var layout = BidsLayout.Index(root);
        Assert.Equal(["sub-01_task-rest_bold.nii.gz", "T1w.nii.gz"], layout.Get(extension: ".nii.gz").Select(f => f.Filename));
        var problems = layout.Problems.Select(p => (BidsTree.Relative(root, [p.Path])[0], p.Problem)).ToArray();
        Assert.Equal(6, problems.Length);
        Assert.Contains(problems, p => p.Item1 == "sub-01/func/sub-02_task-rest_bold.nii.gz" && p.Problem.Contains("sub-02 but the file is in folder sub-01"));
        Assert.Contains(problems, p => p.Item1 == "sub-01/ses-1/func/sub-01_ses-2_task-rest_bold.nii.gz" && p.Problem.Contains("ses-2 but the file is in folder ses-1"));
        Assert.Contains(problems, p => p.Item1 == "sub-01/func/sub-01__task-rest_bold.nii.gz" && p.Problem.Contains("empty part"));
        Assert.Contains(problems, p => p.Item1 == "sub-01/func/sub-01_task-rest copy_bold.nii.gz");
        Assert.Contains(problems, p => p.Item1 == "sub-01/func/notes from the scan.txt");
        Assert.Contains(problems, p => p.Item1 == "sub-x_y" && p.Problem.Contains("not sub-<letters and digits>"));
        // Hidden files are skipped silently, as pyBIDS does.
        Assert.DoesNotContain(layout.Files, f => f.Filename.StartsWith('.'));
    }

    [Fact]
    public void Unknown_entity_in_a_query_is_an_error_but_custom_entities_of_the_dataset_are_allowed()
    {
        var root = Path.Combine(_dir.Path, "ds");
        BidsTree.Create(root, ["dataset_description.json", "sub-01/fmap/sub-01_fmapid-auto00000_desc-preproc_fieldmap.nii.gz"],
            new Dictionary<string, string> { ["dataset_description.json"] = "{}" });
        var layout = BidsLayout.Index(root);
        var e = Assert.Throws<NiSharpException>(() => layout.Get(new BidsQuery().Where("sesion", "1")));
        Assert.Contains("unknown entity 'sesion'", e.Message);
        Assert.Single(layout.Get(new BidsQuery().Where("fmapid", "auto00000")));
        Assert.Equal(["auto00000"], layout.GetEntityValues("fmapid"));
        Assert.Equal(["fmap"], layout.GetEntityValues("datatype"));
    }

    [Fact]
    public void Participants_without_participant_id_or_with_duplicates_fail_naming_the_file()
    {
        var path = _dir.File("participants.tsv");
        File.WriteAllText(path, "subject\tage\n01\t3\n");
        var e = Assert.Throws<NiSharpException>(() => Participants.Read(path));
        Assert.StartsWith($"{path}: no 'participant_id' column", e.Message);
        File.WriteAllText(path, "participant_id\tage\nsub-01\t3\n01\t4\n");
        e = Assert.Throws<NiSharpException>(() => Participants.Read(path));
        Assert.Contains("participant sub-01 is listed twice", e.Message);
        File.WriteAllText(path, "participant_id\tage\nsub-01\tthree\n");
        e = Assert.Throws<NiSharpException>(() => Participants.Read(path).Number("01", "age"));
        Assert.Contains("'three' is not a number", e.Message);
    }
}
