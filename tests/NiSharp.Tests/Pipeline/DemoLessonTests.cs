using NiSharp.Bids;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>What the demo writes for the lesson's examples: explicit ds000030 ids, <c>anat/</c> folders, T1w-space runs,
/// and <see cref="DemoDataset.Ensure"/>.</summary>
public class DemoLessonTests
{
    private static DemoOptions Small(params string[] ids) => new()
    {
        Subjects = ids.Length, SubjectIds = ids, VoxelSize = 8, Volumes = 30, Jobs = 1, T1wSpaceSubjects = ids.Contains("50052") ? ["50052"] : [],
    };

    [Fact]
    public void Explicit_ids_anat_folders_and_t1w_space_runs_as_fmriprep_writes_them()
    {
        using var dir = new TempDir();
        var data = DemoDataset.Ensure(dir.File("data"), Small("50052", "10788"));
        var layout = BidsLayout.Index(data);
        Assert.Equal(["10788", "50052"], layout.GetSubjects());
        Assert.StartsWith("sub-10788\tCONTROL\t", File.ReadAllLines(Path.Combine(data, "participants.tsv"))[1]);

        // Four anat images per subject: preproc T1w and brain mask, native and MNI.
        var t1w = layout.Get(subject: "10788", datatype: "anat", desc: "preproc", suffix: "T1w", extension: ".nii.gz");
        var masks = layout.Get(subject: "10788", datatype: "anat", desc: "brain", suffix: "mask", extension: ".nii.gz");
        Assert.Equal([null, "MNI152NLin2009cAsym"], t1w.Select(f => f.Space));
        Assert.Equal([null, "MNI152NLin2009cAsym"], masks.Select(f => f.Space));
        var mniT1 = Image.Load(t1w[1]);
        var mniMask = Image.Load(masks[1]);
        Assert.Equal([193, 229, 193], mniT1.Shape);   // fMRIPrep's 1 mm MNI152NLin2009cAsym grid
        Assert.Equal((-96.0, -132.0, -78.0), mniT1.Affine.Apply(0, 0, 0));
        using (var f = NiftiFile.Open(t1w[1])) Assert.Equal(NiftiDataType.Int16, f.Header.DataType);
        Assert.All(mniMask.Data, v => Assert.True(v is 0 or 1));
        // The brain mask is inside the head, and there is head (skull, scalp) outside it.
        int inside = 0, headOutside = 0;
        for (int v = 0; v < mniMask.Data.Length; v++)
        {
            if (mniMask.Data[v] == 1 && mniT1.Data[v] > 0) inside++;
            if (mniMask.Data[v] == 0 && mniT1.Data[v] > 1000) headOutside++;
        }
        Assert.True(inside > 0.99 * mniMask.Data.Count(v => v == 1), "mask voxels outside the head");
        Assert.True(headOutside > 100_000, $"only {headOutside} head voxels outside the brain mask");
        // Native space: the same head, another voxel-to-world mapping.
        var native = Image.Load(t1w[0]);
        Assert.Equal(mniT1.Data, native.Data);
        Assert.NotEqual(mniT1.Affine.Apply(0, 0, 0), native.Affine.Apply(0, 0, 0));

        // The T1w-space run: only for the subject asked, the same series on the shifted grid.
        var t1wRuns = layout.Get(datatype: "func", desc: "preproc", space: "T1w", extension: ".nii.gz");
        Assert.Equal(["50052"], t1wRuns.Select(f => f.Subject));
        var mniRun = layout.Get(subject: "50052", datatype: "func", desc: "preproc", space: "MNI152NLin2009cAsym", extension: ".nii.gz")[0];
        var a = Image.Load(mniRun);
        var b = Image.Load(t1wRuns[0]);
        Assert.Equal(a.Shape, b.Shape);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(native.Affine.Apply(0, 0, 0).X - mniT1.Affine.Apply(0, 0, 0).X, b.Affine.Apply(0, 0, 0).X - a.Affine.Apply(0, 0, 0).X, 9);
        Assert.Equal(2.0, layout.GetBoldRun(t1wRuns[0]).RepetitionTime);
        Assert.NotNull(layout.GetBoldRun(t1wRuns[0]).Mask);
    }

    [Fact]
    public void A_named_subject_has_the_same_data_in_every_cohort_that_names_it()
    {
        using var dir = new TempDir();
        var two = DemoDataset.Ensure(dir.File("two"), Small("10788", "50052") with { Anatomical = false });
        var three = DemoDataset.Ensure(dir.File("three"), Small("10438", "10788", "11108") with { Anatomical = false });
        const string confounds = "sub-10788/func/sub-10788_task-rest_desc-confounds_timeseries.tsv";
        Assert.Equal(File.ReadAllText(Path.Combine(two, confounds)), File.ReadAllText(Path.Combine(three, confounds)));
        Assert.NotEqual(File.ReadAllText(Path.Combine(three, confounds)),
            File.ReadAllText(Path.Combine(three, confounds.Replace("10788", "10438"))));
        Assert.False(Directory.Exists(Path.Combine(two, "sub-10788", "anat")));
    }

    [Fact]
    public void Ensure_reuses_a_complete_demo_and_refuses_other_folders()
    {
        using var dir = new TempDir();
        var options = Small("10788") with { Anatomical = false };
        var data = DemoDataset.Ensure(dir.File("data"), options);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(data, "participants.tsv"));
        Assert.Equal(data, DemoDataset.Ensure(dir.File("data"), options));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(data, "participants.tsv")));
        Assert.False(File.Exists(dir.File("data.lock")));

        Directory.CreateDirectory(dir.File("mine"));
        File.WriteAllText(dir.File("mine/notes.txt"), "keep");
        var e = Assert.Throws<NiSharpException>(() => DemoDataset.Ensure(dir.File("mine"), options));
        Assert.Contains("not a NiSharp demo", e.Message);
        Assert.True(File.Exists(dir.File("mine/notes.txt")));
    }

    [Theory]
    [InlineData(new[] { "10788", "10788" }, 2, null, "unique")]
    [InlineData(new[] { "20788" }, 1, null, "starting with 1")]
    [InlineData(new[] { "10788" }, 2, null, "1 subject ids given but subjects is 2")]
    [InlineData(new[] { "10788" }, 1, "50052", "not one of the explicit subject ids")]
    public void Bad_cohorts_are_user_errors(string[] ids, int subjects, string? t1w, string expected)
    {
        var o = new DemoOptions { Subjects = subjects, SubjectIds = ids, T1wSpaceSubjects = t1w is null ? [] : [t1w] };
        Assert.Contains(expected, Assert.Throws<NiSharpException>(() => o.Validate()).Message);
    }

    [Fact]
    public void The_lesson_cohorts_are_the_lessons_subjects()
    {
        Assert.Equal(["10438", "10788", "11108", "50052"], DemoOptions.LessonNotebook.SubjectIds);
        Assert.Equal(20, DemoOptions.Lesson.Validate().SubjectIds!.Count);
        Assert.Equal(10, DemoOptions.Lesson.SubjectIds!.Count(i => i[0] == '5'));
    }
}
