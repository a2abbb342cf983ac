using System.Text.Json.Nodes;
using MathNet.Numerics.Statistics;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>The demo dataset looks like fMRIPrep's output of ds000030 and is what it claims to be.</summary>
[Collection(PipelineCollection.Name)]
public class DemoDatasetTests(DemoCohorts cohorts)
{
    [Fact]
    public void Layout_matches_fmriprep_with_ds000030_ids_groups_and_companions()
    {
        var ds = cohorts.Planted;
        var layout = BidsLayout.Index(ds.DataDirectory);
        Assert.True(layout.Description!.IsDerivative);
        var subjects = layout.GetSubjects();
        Assert.Equal(16, subjects.Count);
        Assert.Equal(8, subjects.Count(s => s.StartsWith('1')));
        Assert.Equal(8, subjects.Count(s => s.StartsWith('5')));
        Assert.All(subjects, s => Assert.Equal(5, s.Length));
        var participants = layout.Participants!;
        Assert.Equal(["participant_id", "diagnosis", "age", "sex"], participants.Columns);
        Assert.All(subjects, s => Assert.Equal(s.StartsWith('1') ? "CONTROL" : "SCHZ", participants[s, "diagnosis"]));
        Assert.Equal(["rest"], layout.GetTasks());
        var runs = layout.GetBoldRuns(space: "MNI152NLin2009cAsym");
        Assert.Equal(16, runs.Count);
        foreach (var run in runs)
        {
            Assert.NotNull(run.Mask);
            Assert.NotNull(run.Confounds);
            Assert.NotNull(run.ConfoundsJson);
            Assert.NotNull(run.Boldref);
            Assert.Equal(2.0, run.RepetitionTime);
        }
    }

    [Fact]
    public void Confounds_have_fmriprep_21_columns_and_are_computed_from_the_data()
    {
        var ds = cohorts.Planted;
        var run = BidsLayout.Index(ds.DataDirectory).GetBoldRuns()[0];
        var table = TsvTable.Read(run.Confounds!.Path);
        string[] expected =
        [
            "global_signal", "global_signal_derivative1", "global_signal_power2", "global_signal_derivative1_power2",
            "csf", "csf_derivative1", "csf_power2", "csf_derivative1_power2",
            "white_matter", "white_matter_derivative1", "white_matter_power2", "white_matter_derivative1_power2",
            "csf_wm", "dvars", "std_dvars", "framewise_displacement", "rmsd", "a_comp_cor_00", "c_comp_cor_00", "w_comp_cor_00",
            "cosine00", "non_steady_state_outlier00", "non_steady_state_outlier01", "non_steady_state_outlier02", "non_steady_state_outlier03",
            "trans_x", "trans_x_derivative1", "trans_x_power2", "trans_x_derivative1_power2",
            "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "rot_z_derivative1_power2",
        ];
        foreach (var c in expected) Assert.Contains(c, table.Columns);
        Assert.DoesNotContain("non_steady_state_outlier04", table.Columns);
        Assert.Equal(152, table.RowCount);
        for (int k = 0; k < 4; k++)
        {
            var nss = table.GetNumbers($"non_steady_state_outlier{k:00}");
            Assert.Equal(1, nss[k]);
            Assert.Equal(1, nss.Sum());
        }
        Assert.True(double.IsNaN(table.GetNumbers("framewise_displacement")[0]));
        Assert.True(double.IsNaN(table.GetNumbers("trans_x_derivative1")[0]));

        // Framewise displacement is Power's, from the motion columns in the same file.
        var fd = table.GetNumbers("framewise_displacement");
        var motion = new[] { "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z" }.Select(table.GetNumbers).ToArray();
        for (int t = 1; t < fd.Length; t++)
        {
            double power = 0;
            for (int k = 0; k < 6; k++) power += Math.Abs(motion[k][t] - motion[k][t - 1]) * (k < 3 ? 1 : 50);
            Assert.Equal(power, fd[t], 1e-9);
        }

        // global_signal is the mean of the BOLD volume inside the brain mask.
        var mask = Masking.LoadMask(run.Mask!.Path);
        var gs = table.GetNumbers("global_signal");
        using var bold = NiftiFile.Open(run.Bold.Path);
        var volume = new float[bold.VoxelsPerVolume];
        foreach (int t in new[] { 0, 1, 77, 151 })
        {
            bold.ReadVolume<float>(t, volume);
            double sum = 0; int n = 0;
            for (int v = 0; v < volume.Length; v++) if (mask.Data[v] != 0) { sum += volume[v]; n++; }
            Assert.Equal(sum / n, gs[t], 1e-6 * Math.Abs(gs[t]));
        }
        // The first volumes are brighter until the magnetisation is steady.
        Assert.True(gs[0] > 1.5 * gs[10], $"volume 0 {gs[0]:0} vs volume 10 {gs[10]:0}");

        // nilearn's compcor strategy finds the components the JSON describes.
        var confounds = FmriprepConfounds.Load(run.Confounds.Path);
        var selection = ConfoundSelector.Select(confounds, ConfoundPresets.Compcor with { DummyScans = DummyScans.Auto });
        Assert.Contains("a_comp_cor_00", selection.Columns);
        Assert.Equal(4, selection.DummyScans);
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(run.ConfoundsJson!.Path))!;
        Assert.Equal("combined", json["a_comp_cor_00"]!["Mask"]!.GetValue<string>());
        Assert.True(json["a_comp_cor_00"]!["Retained"]!.GetValue<bool>());
    }

    [Fact]
    public void Each_subject_moves_as_much_as_its_severity_says()
    {
        var people = cohorts.Planted.Participants;
        var severity = people.Select(p => p.MotionSeverity).ToArray();
        var fd = people.Select(p => p.MeanFramewiseDisplacement).ToArray();
        Assert.True(severity.Max() > 1.5 * severity.Min(), "severities should vary across subjects");
        Assert.True(Correlation.Pearson(severity, fd) > 0.8, $"r(severity, mean FD) = {Correlation.Pearson(severity, fd):0.00}");
        Assert.InRange(fd.Average(), 0.05, 0.5);
    }

    [Fact]
    public void The_same_seed_gives_the_same_files_and_another_seed_other_data()
    {
        var a = cohorts.NewFolder("seed-a");
        var b = cohorts.NewFolder("seed-b");
        var c = cohorts.NewFolder("seed-c");
        var options = new DemoOptions { Subjects = 2, VoxelSize = 10, Seed = 3, Jobs = 2 };
        DemoDataset.Generate(a, options);
        DemoDataset.Generate(b, options with { Jobs = 1 });
        DemoDataset.Generate(c, options with { Seed = 4 });
        var x = DemoCohorts.Contents(a);
        var y = DemoCohorts.Contents(b);
        Assert.Equal(x.Keys, y.Keys);
        foreach (var (name, bytes) in x) Assert.True(bytes.AsSpan().SequenceEqual(y[name]), $"{name} differs between two runs with seed 3");
        var z = DemoCohorts.Contents(c);
        Assert.NotEqual(x.Keys, z.Keys); // other subject ids
    }

    [Fact]
    public void The_default_demo_run_is_lesson_sized()
    {
        var dir = cohorts.NewFolder("lesson-sized");
        var ds = DemoDataset.Generate(dir, new DemoOptions { Subjects = 1 });
        var run = BidsLayout.Index(dir).GetBoldRuns().Single();
        using var bold = NiftiFile.Open(run.Bold.Path);
        Assert.Equal([65, 77, 49, 152], bold.Shape);
        Assert.Equal(NiftiDataType.Float32, bold.DataType);
        Assert.True(bold.IsCompressed);
        Assert.Equal(2.0, bold.RepetitionTime);
        Assert.Equal((3.0, 3.0, 3.0), bold.Affine.VoxelSizes);
        Assert.Equal("RAS", bold.Affine.AxisCodes);
        Assert.Equal(ds.Grid.Shape, NiftiFile.ReadHeader(run.Mask!.Path).Shape);
        // The lesson's DMN regions are inside the field of view.
        Assert.Contains(44, ds.Planted.Labels);
        Assert.Contains(46, ds.Planted.Labels);
    }

    [Fact]
    public void Nisharp_demo_generates_runs_both_levels_and_says_where_the_outputs_are()
    {
        var dir = cohorts.NewFolder("demo-cli");
        var r = CliRunner.Run("demo", "--output", dir, "--subjects", "4", "--voxel-size", "8", "--seed", "3");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains($"data     {Path.Combine(dir, "data")}", r.Stdout);
        Assert.Contains($"results  {Path.Combine(dir, "results")}", r.Stdout);
        Assert.Contains($"report   {Path.Combine(dir, "results", "report.html")}", r.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "results", "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "truth", "planted_control_relmat.tsv")));
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "results", "group"), "*_statistics.tsv"));
        var html = File.ReadAllText(Path.Combine(dir, "results", "report.html"));
        Assert.Contains("<td class=\"nw\">task</td><td class=\"nw\">rest</td>", html); // the task found, when --task was not given
        Assert.Contains("<a href=\"group/report.html\">group/report.html</a>", html); // the top page links the group level's own page
        var group = File.ReadAllText(Path.Combine(dir, "results", "group", "report.html"));
        Assert.Contains("label_44 – label_46", group);
        Assert.Contains("Statistics", group);

        var again = CliRunner.Run("demo", "--output", dir, "--subjects", "4", "--voxel-size", "8", "--seed", "3");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("reusing the demo dataset", again.Stdout);
        Assert.Contains("0 done, 4 already complete", again.Stdout);
    }

    [Fact]
    public void Nisharp_demo_refuses_to_overwrite_a_folder_that_is_not_a_demo()
    {
        var dir = cohorts.NewFolder("not-demo");
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        File.WriteAllText(Path.Combine(dir, "data", "precious.txt"), "keep me");
        var r = CliRunner.Run("demo", "--output", dir, "--subjects", "2", "--voxel-size", "10");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is not a NiSharp demo dataset", r.Stderr);
        Assert.True(File.Exists(Path.Combine(dir, "data", "precious.txt")));
    }
}
