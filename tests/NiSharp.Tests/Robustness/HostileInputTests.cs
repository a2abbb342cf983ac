using System.Diagnostics;
using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Confounds;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Robustness;

/// <summary>
/// The bad-input corpus's cases that cannot be committed as files (issue 22): symbolic-link loops and links to
/// <c>/</c>, named pipes and devices where a file is expected, lines and tables of absurd size, unusable output
/// folders, outputs that are inputs, label tables and names beyond reason, control characters in file names. Each is
/// built in a temporary folder, run through the CLI (in-process) and must end — every run has a deadline, so a hang
/// fails the test instead of the suite — with the exact one-line message and exit code. The static cases of the same
/// classes are rows of <c>tests/fixtures/badinput/cases.tsv</c>.
/// </summary>
[Collection(Pipeline.PipelineCollection.Name)]
public class HostileInputTests(SmallCohort cohort) : IClassFixture<SmallCohort>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>nisharp args…</c> on a worker thread and fails the test if it has not ended by the deadline
    /// (the thread blocked on a pipe is a background thread: it cannot hold the test run up).</summary>
    private static async Task<CliRunner.Result> RunAsync(params string[] args)
    {
        var task = Task.Run(() => CliRunner.Run(args));
        if (await Task.WhenAny(task, Task.Delay(Deadline)) != task)
            Assert.Fail($"nisharp {string.Join(' ', args)} did not end within {Deadline.TotalSeconds:0} s: it hangs");
        return await task;
    }

    private static void AssertOneError(CliRunner.Result r, int exitCode, string expectedLine)
    {
        Assert.True(r.ExitCode == exitCode, $"exit code {r.ExitCode}, expected {exitCode}; stderr: {r.Stderr}");
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.Contains(expectedLine, r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private string Subject => cohort.Dataset.Participants[0].Id;

    private string Func(string data) => Path.Combine(data, $"sub-{Subject}", "func");

    private string FuncFile(string data, string ending) => Directory.GetFiles(Func(data), "*" + ending).Single();

    private string[] RunOne(string data, string output, params string[] more) =>
        ["run", data, output, "participant", "--no-reports", "--jobs", "1", "--participant-label", Subject, .. more];

    private string Labels(string dir, out string atlas)
    {
        atlas = Path.Combine(dir, "atlas.nii.gz");
        var labels = Path.Combine(dir, "labels.tsv");
        Assert.Equal(0, CliRunner.Run("atlases", "yeo7", "-o", atlas, "--labels-out", labels).ExitCode);
        return labels;
    }

    // ------------------------------------------------------------------ 1, 2: loops and links to /

    [Fact(Timeout = 120_000)]
    public async Task A_symbolic_link_loop_in_a_subject_is_listed_once_and_the_run_ends()
    {
        var data = cohort.CopyOfData("loop");
        Directory.CreateSymbolicLink(Path.Combine(Func(data), "loop"), "..");
        var session = Path.Combine(data, $"sub-{Subject}", "ses-1");
        Directory.CreateSymbolicLink(session, "."); // a session that is the subject folder itself
        int files = Directory.GetFiles(data, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Length;

        var layout = await Task.Run(() => BidsLayout.Index(data));
        Assert.Equal(files, layout.Files.Count);
        var p = Assert.Single(layout.Problems);
        Assert.Equal(session, p.Path);
        Assert.Equal($"is the same folder as {Path.Combine(data, $"sub-{Subject}")} (a symbolic-link loop?); not indexed again", p.Problem);

        var output = cohort.NewFolder("out");
        var r = await RunAsync(RunOne(data, output));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("1 done", r.Stdout);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_subject_folder_linked_to_the_root_or_etc_costs_one_listing()
    {
        var data = cohort.CopyOfData("root-link");
        var toRoot = Path.Combine(data, "sub-root");
        var toEtc = Path.Combine(data, "sub-etc");
        Directory.CreateSymbolicLink(toRoot, "/");
        Directory.CreateSymbolicLink(toEtc, "/etc");
        try
        {
            var layout = await Task.Run(() => BidsLayout.Index(data));
            Assert.Empty(layout.Get(subject: "root"));
            Assert.Empty(layout.Get(subject: "etc"));
            Assert.DoesNotContain(layout.Problems, p => p.Path.StartsWith(toEtc + "/", StringComparison.Ordinal));

            var output = cohort.NewFolder("out");
            var r = await RunAsync("run", data, output, "participant", "--no-reports", "--jobs", "2");
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Contains($"{cohort.Dataset.Participants.Count} done", r.Stdout);
        }
        finally
        {
            // Remove the links first: nothing may ever delete through them.
            Directory.Delete(toRoot);
            Directory.Delete(toEtc);
        }
    }

    // ------------------------------------------------------------------ 3: pipes and devices where a file is expected

    [Fact(Timeout = 120_000)]
    public async Task A_fifo_as_a_sidecar_fails_its_subject_instead_of_blocking()
    {
        var data = cohort.CopyOfData("fifo-sidecar");
        var sidecar = FuncFile(data, "_desc-preproc_bold.json");
        File.Delete(sidecar);
        SpecialFiles.MakeFifo(sidecar);
        var r = await RunAsync(RunOne(data, cohort.NewFolder("out")));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"nisharp: sub-{Subject} failed: {sidecar}: is a named pipe (FIFO), not a regular file; NiSharp reads only regular files (log: ", r.Stderr);
    }

    [Fact(Timeout = 120_000)]
    public async Task Dev_zero_as_a_sidecar_or_confounds_fails_its_subject_without_reading_it()
    {
        foreach (var ending in new[] { "_desc-preproc_bold.json", "_desc-confounds_timeseries.tsv" })
        {
            var data = cohort.CopyOfData("devzero");
            var file = FuncFile(data, ending);
            File.Delete(file);
            File.CreateSymbolicLink(file, "/dev/zero");
            var r = await RunAsync(RunOne(data, cohort.NewFolder("out")));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"nisharp: sub-{Subject} failed: {file}: is a device, not a regular file; NiSharp reads only regular files (log: ", r.Stderr);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fifo_or_dev_zero_as_the_bids_filter_file_is_refused()
    {
        var dir = cohort.NewFolder("fifo-filter");
        var fifo = Path.Combine(dir, "filter.json");
        SpecialFiles.MakeFifo(fifo);
        foreach (var (file, kind) in new[] { (fifo, "a named pipe (FIFO)"), ("/dev/zero", "a device") })
        {
            var output = cohort.NewFolder("out");
            var r = await RunAsync("run", cohort.Dataset.DataDirectory, output, "participant", "--bids-filter-file", file);
            AssertOneError(r, 2, $"nisharp: error: {file}: is {kind}, not a regular file; NiSharp reads only regular files");
            Assert.Empty(Directory.EnumerateFileSystemEntries(output));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fifo_or_dev_zero_as_the_atlas_labels_is_refused()
    {
        var dir = cohort.NewFolder("fifo-labels");
        Labels(dir, out var atlas);
        var fifo = Path.Combine(dir, "fifo.tsv");
        SpecialFiles.MakeFifo(fifo);
        foreach (var (file, kind) in new[] { (fifo, "a named pipe (FIFO)"), ("/dev/zero", "a device") })
        {
            var r = await RunAsync("run", cohort.Dataset.DataDirectory, cohort.NewFolder("out"), "participant", "--atlas", atlas, "--atlas-labels", file);
            AssertOneError(r, 2, $"nisharp: error: {file}: is {kind}, not a regular file; NiSharp reads only regular files");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fifo_as_the_lock_file_is_refused()
    {
        var output = cohort.NewFolder("fifo-lock");
        Directory.CreateDirectory(Path.Combine(output, "logs"));
        SpecialFiles.MakeFifo(OutputLock.LockPath(output));
        var r = await RunAsync(RunOne(cohort.Dataset.DataDirectory, output));
        AssertOneError(r, 2, $"nisharp: error: {OutputLock.LockPath(output)}: is a named pipe (FIFO), not a lock file; nisharp will not open it: remove it");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fifo_as_the_description_of_an_output_folder_is_not_a_nisharp_output()
    {
        var output = cohort.NewFolder("fifo-description");
        SpecialFiles.MakeFifo(Path.Combine(output, "dataset_description.json"));
        Assert.False(await Task.Run(() => DerivativesDataset.IsWrittenByNiSharp(output)));
        AssertOneError(await RunAsync("status", output), 2,
            $"nisharp: error: {output}: is not the OUTPUT_DIR of a nisharp run (no logs/, slurm/ or dataset_description.json written by NiSharp)");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fifo_or_a_device_given_as_an_image_is_named_for_what_it_is_not_an_empty_file()
    {
        var fifo = Path.Combine(cohort.NewFolder("fifo-image"), "bold.nii");
        SpecialFiles.MakeFifo(fifo);
        AssertOneError(await RunAsync("info", fifo), 2, $"nisharp: error: {fifo}: is a named pipe (FIFO), not a regular file; NiSharp reads only regular files");
        AssertOneError(await RunAsync("info", "/dev/zero"), 2, "nisharp: error: /dev/zero: is a device, not a regular file; NiSharp reads only regular files");
    }

    [Fact(Timeout = 60_000)]
    public async Task Cifti_files_obey_the_same_rule_a_fifo_or_device_as_the_series_or_the_dlabel_atlas_is_refused()
    {
        var dir = cohort.NewFolder("fifo-cifti");
        var fifo = Path.Combine(dir, "sub-01_task-rest_space-fsLR_den-91k_bold.dtseries.nii");
        SpecialFiles.MakeFifo(fifo);
        var tsv = Path.Combine(dir, "out.tsv");
        const string NotRegular = "not a regular file; NiSharp reads only regular files";
        AssertOneError(await RunAsync("extract", fifo, "--atlas", "conte69-composite", "-o", tsv), 2, $"nisharp: error: {fifo}: is a named pipe (FIFO), {NotRegular}");
        AssertOneError(await RunAsync("info", fifo), 2, $"nisharp: error: {fifo}: is a named pipe (FIFO), {NotRegular}");
        var dt = NiSharp.Tests.Cifti.CiftiFixtures.WorkbenchDtseries;
        AssertOneError(await RunAsync("extract", dt, "--atlas", "/dev/zero", "-o", tsv), 2, $"nisharp: error: /dev/zero: is a device, {NotRegular}");
        var dlabel = Path.Combine(dir, "atlas.dlabel.nii");
        SpecialFiles.MakeFifo(dlabel);
        AssertOneError(await RunAsync("extract", dt, "--atlas", dlabel, "-o", tsv), 2, $"nisharp: error: {dlabel}: is a named pipe (FIFO), {NotRegular}");
        var missing = Path.Combine(dir, "missing.dlabel.nii");
        AssertOneError(await RunAsync("extract", dt, "--atlas", missing, "-o", tsv), 2, $"nisharp: error: {missing}: file not found");
        Assert.Equal($"{missing}: file not found", Assert.Throws<NiSharpException>(() => GrayordinateAtlas.Load(missing)).Message);
        var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.dlabel.nii")).FullName;
        AssertOneError(await RunAsync("extract", dt, "--atlas", folder, "-o", tsv), 2, $"nisharp: error: {folder}: is a folder, not a file");
        Assert.False(File.Exists(tsv));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_parcellated_series_named_as_the_input_is_refused_and_takes_back_the_table_written_before_it()
    {
        var dir = cohort.NewFolder("ptseries-is-input");
        var dt = Path.Combine(dir, "series.dtseries.nii.gz");
        File.Copy(NiSharp.Tests.Cifti.CiftiFixtures.WorkbenchDtseries, dt);
        var bytes = File.ReadAllBytes(dt);
        var tsv = Path.Combine(dir, "out.tsv");
        var ptseries = Path.Combine(dir, "out.ptseries.nii");
        File.CreateSymbolicLink(ptseries, dt);
        var r = await RunAsync("extract", dt, "--atlas", "conte69-composite", "-o", tsv);
        AssertOneError(r, 2, $"nisharp: error: {ptseries}: cannot write: it is the same file as the input {dt}, which would be replaced; choose another output name");
        Assert.Equal(bytes, File.ReadAllBytes(dt));
        Assert.False(File.Exists(tsv));
        Assert.False(File.Exists(Path.ChangeExtension(tsv, ".json")));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_atlas_exported_onto_its_own_bundled_file_is_refused()
    {
        var source = GrayordinateAtlas.Load("conte69-composite").Source;
        var bytes = File.ReadAllBytes(source);
        var r = await RunAsync("atlases", "conte69-composite", "-o", source);
        AssertOneError(r, 2, $"nisharp: error: {source}: cannot write: it is an input of this command, which would be replaced; choose another output name");
        Assert.Equal(bytes, File.ReadAllBytes(source));
    }

    // ------------------------------------------------------------------ 4: absurd sizes

    [Fact(Timeout = 120_000)]
    public async Task A_confounds_line_longer_than_the_bound_fails_after_reading_the_bound()
    {
        var dir = cohort.NewFolder("long-line");
        var tsv = Path.Combine(dir, "sub-01_task-rest_desc-confounds_timeseries.tsv");
        using (var w = new StreamWriter(tsv))
        {
            w.Write("trans_x\ttrans_y\n1\t");
            w.Write(new string('9', InputFile.MaxLineChars + 10));
            w.Write("\n");
        }
        var r = await RunAsync("confounds", tsv, "--strategy", "simple", "-o", Path.Combine(dir, "out.tsv"));
        AssertOneError(r, 2, $"nisharp: error: {tsv}: line 2 is longer than {InputFile.MaxLineChars} characters, more than a TSV table holds: is it the right file?");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_table_of_more_columns_than_the_bound_is_refused_from_its_header()
    {
        var dir = cohort.NewFolder("many-columns");
        var tsv = Path.Combine(dir, "confounds.tsv");
        File.WriteAllText(tsv, string.Join('\t', Enumerable.Range(0, TsvTable.MaxColumns + 1).Select(i => $"c{i}")) + "\n");
        var r = await RunAsync("confounds", tsv, "--strategy", "simple", "-o", Path.Combine(dir, "out.tsv"));
        AssertOneError(r, 2, $"nisharp: error: {tsv}: the header has {TsvTable.MaxColumns + 1} columns; a table NiSharp reads has at most {TsvTable.MaxColumns}: is it the right file?");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_confounds_file_with_many_extra_columns_is_run_reading_only_the_columns_used()
    {
        var data = cohort.CopyOfData("wide-confounds");
        var tsv = FuncFile(data, "_desc-confounds_timeseries.tsv");
        var lines = File.ReadAllLines(tsv);
        const int Extra = 20_000;
        var junk = string.Concat(Enumerable.Range(0, Extra).Select(i => $"\tjunk{i}"));
        var zeros = string.Concat(Enumerable.Repeat("\t0", Extra));
        File.WriteAllLines(tsv, [lines[0] + junk, .. lines.Skip(1).Select(l => l + zeros)]);

        var table = FmriprepConfounds.Load(tsv, null, ConfoundSelector.MayRead(ConfoundPresets.Parse("yeo2011")));
        Assert.DoesNotContain(table.Columns, c => c.StartsWith("junk", StringComparison.Ordinal));
        Assert.Contains("trans_x", table.Columns);

        var r = await RunAsync(RunOne(data, cohort.NewFolder("out")));
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    // ------------------------------------------------------------------ 5, 6, 7: outputs that cannot be, or that are inputs

    [Fact(Timeout = 60_000)]
    public async Task A_logs_file_or_a_file_above_the_output_is_one_line()
    {
        var output = cohort.NewFolder("logs-file");
        File.WriteAllText(Path.Combine(output, "logs"), "not a folder");
        var r = await RunAsync(RunOne(cohort.Dataset.DataDirectory, output));
        AssertOneError(r, 2, $"nisharp: error: {Path.Combine(output, "logs")}: cannot write: {Path.Combine(output, "logs")} is a file, not a folder");

        var file = Path.Combine(cohort.NewFolder("parent-file"), "file");
        File.WriteAllText(file, "not a folder");
        r = await RunAsync(RunOne(cohort.Dataset.DataDirectory, Path.Combine(file, "out")));
        AssertOneError(r, 2, $"nisharp: error: {Path.Combine(file, "out")}: cannot write: {file} is a file, not a folder");
        r = await RunAsync("mean", FuncFile(cohort.Dataset.DataDirectory, "_boldref.nii.gz"), "-o", Path.Combine(file, "mean.nii.gz"));
        AssertOneError(r, 2, $"nisharp: error: {Path.Combine(file, "mean.nii.gz")}: cannot write: {file} is a file, not a folder");
    }

    [SkippableFact(Timeout = 60_000)]
    public async Task A_read_only_output_folder_is_one_line()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Linux mounts");
        var output = cohort.NewFolder("read-only-out");
        // Root ignores permissions: make the folder a read-only bind mount where that is allowed.
        bool mounted = SpecialFiles.Exec("mount", "--bind", output, output) == 0 && SpecialFiles.Exec("mount", "-o", "remount,ro,bind", output) == 0;
        try
        {
            Skip.IfNot(mounted, "a read-only bind mount is not allowed here");
            var r = await RunAsync(RunOne(cohort.Dataset.DataDirectory, output));
            AssertOneError(r, 2, $"nisharp: error: {Path.Combine(output, "logs")}: cannot write: Read-only file system");
            var mean = Path.Combine(output, "mean.nii.gz");
            r = await RunAsync("mean", FuncFile(cohort.Dataset.DataDirectory, "_boldref.nii.gz"), "-o", mean);
            AssertOneError(r, 2, $"nisharp: error: {mean}: cannot write: Read-only file system");
        }
        finally
        {
            if (mounted) SpecialFiles.Exec("umount", output);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_name_whose_temporary_form_passes_255_bytes_is_still_written()
    {
        var dir = cohort.NewFolder("long-name");
        var name = new string('a', 255 - ".nii.gz".Length) + ".nii.gz";
        var r = await RunAsync("mean", FuncFile(cohort.Dataset.DataDirectory, "_boldref.nii.gz"), "-o", Path.Combine(dir, name));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal([name], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_subject_folder_given_as_the_input_with_its_dataset_as_the_output_is_refused()
    {
        var data = cohort.CopyOfData("parent-out");
        var subject = Path.Combine(data, $"sub-{Subject}");
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Length;
        var r = await RunAsync("run", subject, data, "participant");
        AssertOneError(r, 2, $"nisharp: error: {data}: OUTPUT_DIR contains the input folder {subject}; BIDS Apps never write into their input: choose a folder beside it, not above it");
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_output_that_is_an_input_or_links_to_one_is_refused_and_the_input_kept()
    {
        var dir = cohort.NewFolder("o-is-input");
        var input = Path.Combine(dir, "ref.nii.gz");
        File.Copy(FuncFile(cohort.Dataset.DataDirectory, "_boldref.nii.gz"), input);
        var link = Path.Combine(dir, "link.nii.gz");
        File.CreateSymbolicLink(link, input);
        var bytes = File.ReadAllBytes(input);
        const string Same = "cannot write: it is an input of this command, which would be replaced; choose another output name";
        AssertOneError(await RunAsync("mean", input, "-o", input), 2, $"nisharp: error: {input}: {Same}");
        AssertOneError(await RunAsync("smooth", input, "--fwhm", "6", "-o", input), 2, $"nisharp: error: {input}: {Same}");
        AssertOneError(await RunAsync("math", "a*2", "-i", $"a={input}", "-o", input), 2, $"nisharp: error: {input}: {Same}");
        AssertOneError(await RunAsync("smooth", input, "--fwhm", "6", "-o", link), 2,
            $"nisharp: error: {link}: cannot write: it is the same file as the input {input}, which would be replaced; choose another output name");
        Assert.Equal(bytes, File.ReadAllBytes(input));
        Assert.Equal(input, new FileInfo(link).LinkTarget);
    }

    // ------------------------------------------------------------------ 8: labels beyond reason

    [Fact(Timeout = 60_000)]
    public async Task An_atlas_image_with_more_labels_than_the_bound_is_refused_naming_the_image()
    {
        var dir = cohort.NewFolder("many-labels");
        var atlas = Path.Combine(dir, "atlas.nii.gz");
        int n = LabelTable.MaxLabels + 1;
        var img = new Image<int>([n, 1, 1], Affine.Diagonal(2, 2, 2, 0, 0, 0), Enumerable.Range(1, n).ToArray());
        img.Save(atlas);
        var r = await RunAsync(RunOne(cohort.Dataset.DataDirectory, cohort.NewFolder("out"), "--atlas", atlas));
        AssertOneError(r, 2, $"nisharp: error: {atlas}: the atlas has {n} labels; an atlas may have at most {LabelTable.MaxLabels} regions (each is a row and a column of every connectivity matrix)");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_matrix_with_20000_character_region_names_is_plotted_at_a_sane_size()
    {
        var dir = cohort.NewFolder("long-names");
        var tsv = Path.Combine(dir, "m_relmat.tsv");
        var names = Enumerable.Range(0, 3).Select(i => $"r{i}" + new string('y', 20_000)).ToArray();
        File.WriteAllText(tsv, string.Join('\t', names) + "\n" + string.Concat(Enumerable.Range(0, 3).Select(i =>
            string.Join('\t', Enumerable.Range(0, 3).Select(j => i == j ? "1" : "0.5")) + "\n")));
        var png = Path.Combine(dir, "m.png");
        var r = await RunAsync("plot", "matrix", tsv, "-o", png);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.InRange(bitmap.Width, 100, 3000);
    }

    // ------------------------------------------------------------------ 9: every connectivity kind, alone and together, with reports

    public static TheoryData<string> Kinds => new(ConnectivityKinds.All);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Kinds))]
    public async Task Each_kind_alone_runs_the_participant_level_with_its_report(string kind)
    {
        var output = cohort.NewFolder("kind-" + kind);
        var r = await RunAsync("run", cohort.Dataset.DataDirectory, output, "participant", "--jobs", "1", "--participant-label", Subject, "--kind", kind);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Single(Directory.GetFiles(Path.Combine(output, $"sub-{Subject}", "figures"), "*_report.html"));
        Assert.Equal(kind == "tangent" ? 0 : 1, Directory.GetFiles(Path.Combine(output, $"sub-{Subject}", "func"), "*_relmat.tsv").Length);
    }

    [Fact(Timeout = 300_000)]
    public async Task Tangent_alone_and_every_kind_together_run_both_levels_with_reports()
    {
        var four = cohort.Dataset.Participants.Where(p => !p.IsPatient).Take(2).Concat(cohort.Dataset.Participants.Where(p => p.IsPatient).Take(2)).Select(p => p.Id);
        foreach (var kinds in new[] { new[] { "tangent" }, ConnectivityKinds.All.ToArray() })
        {
            var output = cohort.NewFolder("kinds");
            string[] common = [cohort.Dataset.DataDirectory, output, "--participant-label", .. four, "--kind", .. kinds];
            var p = await RunAsync(["run", .. common[..2], "participant", "--jobs", "1", .. common[2..]]);
            Assert.True(p.ExitCode == 0, p.Stdout + p.Stderr);
            var g = await RunAsync(["run", .. common[..2], "group", "--permutations", "100", .. common[2..]]);
            Assert.True(g.ExitCode == 0, g.Stdout + g.Stderr);
            Assert.True(File.Exists(Path.Combine(output, "report.html")));
            Assert.Contains(Directory.GetFiles(Path.Combine(output, "group"), "*.tsv"), f => f.Contains("tangent", StringComparison.Ordinal));
        }
    }

    // ------------------------------------------------------------------ 11, 12: text that looks like code

    [SkippableFact(Timeout = 120_000)]
    public async Task A_label_or_title_reading_like_a_template_placeholder_stays_text()
    {
        Skip.IfNot(NiSharp.Plotting.VolumeViewer.IsAvailable, "this build has no viewer bundle (npm was missing)");
        var dir = cohort.NewFolder("placeholder");
        Labels(dir, out var atlas);
        var lut = Path.Combine(dir, "lut.tsv");
        File.WriteAllText(lut, "index\tname\n1\t/*NIIVUE_BUNDLE*/\n2\t/*NISHARP_CONFIG*/\n");
        var plain = Path.Combine(dir, "plain.html");
        Assert.Equal(0, (await RunAsync("view", atlas, "-o", plain)).ExitCode);
        int scripts = CountScripts(File.ReadAllText(plain));
        foreach (var args in new[] { new[] { "--overlay", atlas, "--lut", lut }, ["--title", "/*NIIVUE_BUNDLE*/ /*NISHARP_CONFIG*/ /*NISHARP_TITLE*/"] })
        {
            var page = Path.Combine(dir, "page.html");
            var r = await RunAsync(["view", atlas, .. args, "-o", page]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var html = File.ReadAllText(page);
            Assert.Equal(scripts, CountScripts(html));
            // The bundle is pasted once, at its place, whatever the inputs say.
            Assert.True(html.Length < File.ReadAllText(plain).Length + 100_000 + (args.Contains("--overlay") ? File.ReadAllText(plain).Length : 0));
        }
    }

    private static int CountScripts(string html) => System.Text.RegularExpressions.Regex.Matches(html, "<script").Count;

    [Fact(Timeout = 60_000)]
    public async Task Newlines_and_escape_sequences_in_file_names_are_escaped_in_messages_and_listings()
    {
        var data = cohort.CopyOfData("control");
        var evil = Path.Combine(Func(data), "evil\nnisharp: error: fake\u001b[31mred.nii.gz");
        File.WriteAllText(evil, "");
        var r = await RunAsync("layout", data);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stderr + r.Stdout);
        Assert.DoesNotContain("\nnisharp: error: fake", r.Stderr);
        Assert.Contains($"  {Func(data)}/evil\\nnisharp: error: fake\\x1b[31mred.nii.gz: ", r.Stderr);
    }

    // ------------------------------------------------------------------ 14: the data cache

    [Fact(Timeout = 120_000)]
    public async Task The_data_cache_is_written_only_when_a_file_it_lacks_is_needed()
    {
        // Child processes with their own cache folder: this process's cache is shared by every test.
        var dir = cohort.NewFolder("cache");
        var cache = Path.Combine(dir, "cache");
        string Snapshot() => !Directory.Exists(cache) ? "" : string.Join('\n', new DirectoryInfo(cache)
            .EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Append(new DirectoryInfo(cache))
            .Select(f => $"{f.FullName} {f.LastWriteTimeUtc.Ticks}").Order(StringComparer.Ordinal));
        var image = Path.Combine(dir, "own.nii.gz");
        File.Copy(FuncFile(cohort.Dataset.DataDirectory, "_boldref.nii.gz"), image);

        Assert.Equal(0, await ChildAsync(cache, "info", image));
        Assert.False(Directory.Exists(cache), "a command that needs no bundled file created the cache");
        Assert.Equal(0, await ChildAsync(cache, "atlases", "yeo7-relabeled", "-o", Path.Combine(dir, "a.nii.gz")));
        var filled = Snapshot();
        Assert.Contains("relabeled_yeo_atlas.nii.gz", filled);
        Assert.Equal(0, await ChildAsync(cache, "atlases", "yeo7-relabeled", "-o", Path.Combine(dir, "b.nii.gz")));
        Assert.Equal(filled, Snapshot()); // no probe, no rewrite: not even a folder's modification time moved
    }

    private static async Task<int> ChildAsync(string cacheFolder, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NiSharp.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Every folder the cache may be in (NISHARP_DATA, XDG_CACHE_HOME, the temp folder) inside the test's own.
        psi.Environment["NISHARP_DATA"] = cacheFolder;
        psi.Environment["XDG_CACHE_HOME"] = cacheFolder + "-xdg";
        psi.Environment["TMPDIR"] = cacheFolder + "-tmp";
        Directory.CreateDirectory(cacheFolder + "-tmp");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Deadline);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); Assert.Fail($"nisharp {string.Join(' ', args)} did not end within {Deadline.TotalSeconds:0} s"); }
        Assert.True(p.ExitCode == 0, await stderr);
        return p.ExitCode;
    }
}
