using NiSharp.Nifti;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

public class PlotCommandTests
{
    private static void AssertPicture(string path)
    {
        Assert.True(File.Exists(path), path);
        if (path.EndsWith(".png", StringComparison.Ordinal))
        {
            using var bmp = SKBitmap.Decode(path);
            Assert.NotNull(bmp);
            Assert.True(bmp.Width > 100 && bmp.Height > 100);
        }
        else
        {
            Assert.StartsWith("<?xml", File.ReadAllText(path));
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*nisharp-tmp*"));
    }

    [Fact]
    public void Slice_commands_write_png_and_svg_at_the_given_cuts()
    {
        using var dir = new TempDir();
        var atlas = dir.File("atlas.nii.gz");
        SliceViewTests.Synthetic("LIA").As<short>().Save(atlas);
        var anat = TestPaths.Data("samples", "nipy_anatomical.nii.gz");
        var r = CliRunner.Run("plot", "roi", atlas, "--background", atlas, "--cut-coords", "10", "-6", "4", "--title", "roi", "-o", dir.File("roi.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("cuts x=10 y=-6 z=4", r.Stdout);
        AssertPicture(dir.File("roi.png"));
        foreach (var kind in new[] { "anat", "epi", "stat" })
        {
            var outPath = dir.File(kind + ".svg");
            r = CliRunner.Run("plot", kind, kind == "epi" ? TestPaths.Data("samples", "nipy_functional.nii.gz") : anat, "--threshold", "1", "-o", outPath);
            Assert.True(r.ExitCode == 0, r.Stderr);
            AssertPicture(outPath);
        }
        r = CliRunner.Run("plot", "roi", atlas, "--lut", TestPaths.Fixture("plotting", "Yeo2011_7Networks_ColorLUT.txt"), "-o", dir.File("lut.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    [Fact]
    public void Bad_inputs_fail_with_exit_code_2_and_one_line_naming_the_file()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("plot", "anat", dir.File("missing.nii.gz"), "-o", dir.File("x.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.nii.gz", r.Stderr);
        r = CliRunner.Run("plot", "anat", TestPaths.Data("samples", "nipy_anatomical.nii.gz"), "-o", dir.File("x.gif"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("x.gif", r.Stderr);
        File.WriteAllText(dir.File("rect.tsv"), "a\tb\n1\t2\n");
        r = CliRunner.Run("plot", "matrix", dir.File("rect.tsv"), "-o", dir.File("m.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a square matrix", r.Stderr);
        Assert.False(File.Exists(dir.File("m.png")));
    }

    [Fact]
    public void Matrix_timeseries_and_confounds_commands_write_pictures()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("sub-01_relmat.tsv"), "label_44\tlabel_45\tlabel_46\n1\t0.3\t0.6\n0.3\t1\t0.2\n0.6\t0.2\t1\n");
        var r = CliRunner.Run("plot", "matrix", dir.File("sub-01_relmat.tsv"), "-o", dir.File("m.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertPicture(dir.File("m.png"));

        // A first column of row names, with pandas' empty first header cell, is allowed (as in nisharp compare).
        File.WriteAllText(dir.File("sub-02_relmat.tsv"), "\tlabel_44\tlabel_45\tlabel_46\nlabel_44\t1\t0.3\t0.6\nlabel_45\t0.3\t1\t0.2\nlabel_46\t0.6\t0.2\t1\n");
        r = CliRunner.Run("plot", "matrix", dir.File("sub-02_relmat.tsv"), "-o", dir.File("m2.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var a = SKBitmap.Decode(dir.File("m.png")))
        using (var b = SKBitmap.Decode(dir.File("m2.png")))
            Assert.Equal(a.Bytes, b.Bytes);

        File.WriteAllText(dir.File("ts.tsv"), "a\tb\n" + string.Join("\n", Enumerable.Range(0, 30).Select(t => $"{Math.Sin(t)}\t{Math.Cos(t)}")) + "\n");
        r = CliRunner.Run("plot", "timeseries", dir.File("ts.tsv"), "--columns", "b", "-o", dir.File("ts.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertPicture(dir.File("ts.png"));
        // --columns takes a comma list (as everywhere else in nisharp) or separate words.
        r = CliRunner.Run("plot", "timeseries", dir.File("ts.tsv"), "--columns", "a,b", "-o", dir.File("ts2.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        r = CliRunner.Run("plot", "timeseries", dir.File("ts.tsv"), "--columns", "a", "b", "-o", dir.File("ts3.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var two = SKBitmap.Decode(dir.File("ts2.png")))
        using (var words = SKBitmap.Decode(dir.File("ts3.png")))
            Assert.Equal(two.Bytes, words.Bytes);
        r = CliRunner.Run("plot", "timeseries", dir.File("ts.tsv"), "--carpet", "-o", dir.File("carpet.svg"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        r = CliRunner.Run("plot", "timeseries", dir.File("ts.tsv"), "--columns", "zz", "-o", dir.File("bad.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no column 'zz'", r.Stderr);

        var rows = Enumerable.Range(0, 20).Select(t => t == 0 ? "n/a\tn/a\t0\t0\t0\t0\t0\t0" : $"{(t == 9 ? 0.9 : 0.1)}\t1.0\t0.{t}\t0\t0\t0.001\t0\t0");
        File.WriteAllText(dir.File("conf.tsv"), "framewise_displacement\tstd_dvars\ttrans_x\ttrans_y\ttrans_z\trot_x\trot_y\trot_z\n" + string.Join("\n", rows) + "\n");
        r = CliRunner.Run("plot", "confounds", dir.File("conf.tsv"), "-o", dir.File("conf.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("20 volumes, 1 over a threshold", r.Stdout);
        AssertPicture(dir.File("conf.png"));
    }

    [Fact]
    public void Groups_command_reads_a_value_table_or_matrices_with_participants()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("stats.tsv"), "participant_id\tgroup\tvalue\nsub-1\tcontrol\t0.5\nsub-2\tcontrol\t0.6\nsub-3\tSCHZ\t0.3\nsub-4\tSCHZ\tn/a\n");
        var r = CliRunner.Run("plot", "groups", dir.File("stats.tsv"), "-o", dir.File("g.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("4 values in 2 groups", r.Stdout);
        AssertPicture(dir.File("g.png"));

        File.WriteAllText(dir.File("participants.tsv"), "participant_id\tdiagnosis\nsub-01\tCONTROL\nsub-02\tSCHZ\n");
        var files = new List<string>();
        foreach (var (sub, v) in new[] { ("01", 0.6), ("02", 0.2) })
        {
            var f = dir.File($"sub-{sub}_task-rest_relmat.tsv");
            File.WriteAllText(f, $"label_44\tlabel_45\tlabel_46\n1\t0\t{v}\n0\t1\t0\n{v}\t0\t1\n");
            files.Add(f);
        }
        r = CliRunner.Run(["plot", "groups", .. files, "--participants", dir.File("participants.tsv"), "--column", "diagnosis", "--edge", "44-46", "-o", dir.File("g2.svg")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("2 values in 2 groups", r.Stdout);
        var svg = File.ReadAllText(dir.File("g2.svg"));
        Assert.Contains("CONTROL (n=1)", svg);
        Assert.Contains("SCHZ (n=1)", svg);
        // The unified spellings (as in run and compare) draw the same picture.
        r = CliRunner.Run(["plot", "groups", .. files, "--participants", dir.File("participants.tsv"), "--group-column", "diagnosis", "--edges", "44-46", "-o", dir.File("g2b.svg")]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("CONTROL (n=1)", File.ReadAllText(dir.File("g2b.svg")));

        r = CliRunner.Run(["plot", "groups", .. files, "--participants", dir.File("participants.tsv"), "--edge", "44-99", "-o", dir.File("g3.png")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no region '99'", r.Stderr);
    }

    [Fact]
    public void Groups_command_plots_the_runs_per_subject_edge_table_and_explains_a_compare_table()
    {
        using var dir = new TempDir();
        // The shape of the run's group/*_desc-edges_values.tsv: one row per subject, one column per edge.
        File.WriteAllText(dir.File("values.tsv"), "participant_id\tgroup\t44-45\t44-46\nsub-1\tCONTROL\t0.1\t0.5\nsub-2\tCONTROL\t0.2\t0.7\nsub-3\tSCHZ\t0.3\t0.2\n");
        var r = CliRunner.Run("plot", "groups", dir.File("values.tsv"), "--edge", "44-46", "-o", dir.File("g.svg"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("3 values in 2 groups", r.Stdout);
        var svg = File.ReadAllText(dir.File("g.svg"));
        Assert.Contains("CONTROL (n=2)", svg);
        Assert.Contains("connectivity 44-46", svg);
        r = CliRunner.Run("plot", "groups", dir.File("values.tsv"), "--edge", "44-45", "44-46", "-o", dir.File("g1.svg"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("mean connectivity of 2 edges", File.ReadAllText(dir.File("g1.svg")));

        r = CliRunner.Run("plot", "groups", dir.File("values.tsv"), "-o", dir.File("g2.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("choose one of its 2 value columns with --edge", r.Stderr);
        r = CliRunner.Run("plot", "groups", dir.File("values.tsv"), "--edge", "44-47", "-o", dir.File("g2.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--edges '44-47': no such column", r.Stderr);

        File.WriteAllText(dir.File("stats.tsv"), "feature\ttype\tmean1\tmean2\tp\tp_fdr\n44-46\tedge\t0.6\t0.2\t0.01\t0.01\n");
        r = CliRunner.Run("plot", "groups", dir.File("stats.tsv"), "-o", dir.File("g3.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("statistics table of nisharp compare", r.Stderr);
        Assert.False(File.Exists(dir.File("g3.png")));
    }

    [Fact]
    public void Roi_of_a_bundled_atlas_name_draws_its_lut_colours_and_names()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("plot", "roi", "yeo7", "--background", "none", "--cut-coords", "0", "-50", "20", "-o", dir.File("yeo.svg"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var svg = File.ReadAllText(dir.File("yeo.svg"));
        Assert.Contains("7Networks_7", svg);
        Assert.DoesNotContain("label_7", svg);
        r = CliRunner.Run("plot", "roi", "yeo7", "--background", "none", "--cut-coords", "0", "-50", "20", "-o", dir.File("yeo.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        // The default-mode network's LUT colour (205, 62, 78) is drawn.
        using var bmp = SKBitmap.Decode(dir.File("yeo.png"));
        int dmn = 0;
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
                if (bmp.GetPixel(x, y) is { Red: 205, Green: 62, Blue: 78 }) dmn++;
        Assert.True(dmn > 200, $"{dmn} pixels of the DMN colour");
    }
    [Fact]
    public void Display_mode_cuts_colour_map_and_background_flags_follow_nilearn()
    {
        using var dir = new TempDir();
        // display_mode='z' with cut_coords=[-20, 0, 20, 40]: a row of four axial cuts, as wide as four panels.
        var r = CliRunner.Run("plot", "roi", "yeo7", "--display-mode", "z", "--cut-coords", "-20", "0", "20", "40", "-o", dir.File("z.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("cuts z=-20, 0, 20, 40 mm", r.Stdout);
        using (var row = SKBitmap.Decode(dir.File("z.png"))) Assert.True(row.Width > 3 * row.Height, $"{row.Width}×{row.Height}");

        // plot_epi(mni, cmap='viridis', black_bg=False, colorbar=False): a white corner, viridis' yellow end drawn, no grey.
        r = CliRunner.Run("plot", "epi", "mni152", "--cmap", "viridis", "--black-bg", "false", "--no-colorbar", "-o", dir.File("epi.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var bmp = SKBitmap.Decode(dir.File("epi.png"));
        Assert.Equal(SKColors.White, bmp.GetPixel(1, 1));
        int yellowish = 0, grey = 0;
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
            {
                var c = bmp.GetPixel(x, y);
                if (c.Red > 150 && c.Green > 180 && c.Blue < 80) yellowish++;
                if (c.Red == c.Green && c.Green == c.Blue && c.Red is > 60 and < 200) grey++;
            }
        Assert.True(yellowish > 100, $"{yellowish} yellow pixels");
        Assert.True(grey < bmp.Width * bmp.Height / 100, $"{grey} grey pixels: the gray map was used");

        // plot_anat has no background image: the option is said to be ignored, and the picture is still drawn.
        r = CliRunner.Run("plot", "anat", "mni152", "--background", "none", "-o", dir.File("anat.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("nisharp: warning: --background none: anat draws the image itself", r.Stderr);
        Assert.True(File.Exists(dir.File("anat.png")));

        // Two coordinates for the three ortho cuts, an unknown map, vmin above vmax: one line, exit 2, nothing written.
        foreach (var args in new[] { new[] { "--cut-coords", "1", "2" }, ["--cmap", "jet2"], ["--vmin", "5", "--vmax", "1"] })
        {
            r = CliRunner.Run(["plot", "anat", "mni152", .. args, "-o", dir.File("bad.png")]);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.False(File.Exists(dir.File("bad.png")));
        }
    }
}
