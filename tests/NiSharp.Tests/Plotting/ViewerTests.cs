using NiSharp.Nifti;
using NiSharp.Plotting;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Plotting;

public class ViewerTests
{
    private static readonly LabelColor[] Labels = [new(1, "Left </script><b>DMN</b>", 230, 25, 75), new(2, "Right DMN", 0, 130, 200)];

    /// <summary>A small anatomy-like background and a two-label overlay on the same RAS grid, written to files.</summary>
    private static (string Background, string Overlay) WriteImages(TempDir dir)
    {
        var bg = SliceViewTests.Synthetic("RAS", (x, y, z) =>
        {
            double e = x * x / 1600 + y * y / 2500 + z * z / 1225;
            return e > 1 ? 0 : (float)(200 + 50 * Math.Sin(x / 6) * Math.Cos(y / 7));
        });
        var ov = SliceViewTests.Synthetic("RAS");
        var b = dir.File("bg.nii.gz");
        var o = dir.File("atlas.nii.gz");
        bg.Save(b);
        ov.As<short>().Save(o);
        return (b, o);
    }

    [Fact]
    public void Page_is_self_contained_and_escapes_label_names()
    {
        Skip.IfNot(VolumeViewer.IsAvailable, "the viewer was not bundled (no npm at build time)");
        using var dir = new TempDir();
        var (b, o) = WriteImages(dir);
        var html = VolumeViewer.BuildHtml(ViewerImage.FromFile(b), ViewerImage.FromFile(o), new ViewerOptions { Labels = Labels, Title = "a <title>" });
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("</script><b>", html);
        Assert.Contains("a &lt;title&gt;", html);
        Assert.Contains("default-src 'none'", html); // the page may not fetch anything
        // The template's three script elements (config, niivue, glue) are the only ones closed: neither the
        // bundle nor the config (with a label named "</script>…") can end its element early.
        int closes = System.Text.RegularExpressions.Regex.Matches(html, "</script", System.Text.RegularExpressions.RegexOptions.IgnoreCase).Count;
        Assert.Equal(3, closes);
    }

    [Fact]
    public void A_4d_image_of_one_volume_is_embedded_as_3d()
    {
        // The Yeo 2011 atlases are 256³×1: niivue draws no overlay from such a file, so it is rewritten as 3D.
        using var dir = new TempDir();
        var ov = SliceViewTests.Synthetic("LIA");
        var four = new Image<float>([.. ov.SpatialShape, 1], ov.Affine, ov.Data);
        var path = dir.File("atlas4d.nii.gz");
        four.Save(path);
        var embedded = ViewerImage.FromFile(path);
        var back = dir.File("embedded.nii.gz");
        File.WriteAllBytes(back, embedded.NiftiBytes);
        using var f = NiftiFile.Open(back);
        Assert.Equal(ov.SpatialShape, f.Shape);
        Assert.Equal(ov.Data, f.LoadVolume<float>(0).Data);
        Assert.Equal("atlas4d.nii.gz", embedded.Name);
    }

    [Fact]
    public void View_command_without_html_extension_is_a_user_error()
    {
        using var dir = new TempDir();
        var (b, _) = WriteImages(dir);
        var r = CliRunner.Run("view", b, "-o", dir.File("view.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("HTML", r.Stderr);
    }

    [SkippableFact]
    public async Task Viewer_loads_draws_and_a_click_moves_the_crosshair_in_headless_chromium()
    {
        Skip.If(HeadlessChromium.Executable is null, "Chromium is not installed (apt-get install chromium)");
        Skip.IfNot(VolumeViewer.IsAvailable, "the viewer was not bundled (no npm at build time)");
        using var dir = new TempDir();
        var (b, o) = WriteImages(dir);
        var page = dir.File("view.html");
        var r = CliRunner.Run("view", b, "--overlay", o, "-o", page);
        Assert.True(r.ExitCode == 0, r.Stderr);
        // Label names come from a table given by the library API (the CLI's --lut reads the same records).
        VolumeViewer.Save(page, ViewerImage.FromFile(b), ViewerImage.FromFile(o), new ViewerOptions { Labels = Labels, CrosshairMm = (-20, 0, 0) });

        await using var chrome = await HeadlessChromium.StartAsync(1200, 800);
        await chrome.OpenFileAsync(page);
        Assert.True(await chrome.WaitForAsync("window.nisharpViewer && window.nisharpViewer.ready", 40),
            "the viewer did not become ready: " + string.Join(" | ", chrome.Errors) + " " + (await chrome.EvaluateAsync("document.getElementById('error').textContent"))?.ToString());
        Assert.Empty(chrome.Errors);

        // A label overlay has an opacity control but no threshold box (the control was hidden but shown by its CSS).
        Assert.Equal("none", (await chrome.EvaluateAsync("getComputedStyle(document.getElementById('threshold-control')).display"))!.ToString());
        Assert.NotEqual("none", (await chrome.EvaluateAsync("getComputedStyle(document.getElementById('opacity-control')).display"))!.ToString());
        // Orientation letters in white, at a readable size.
        Assert.Equal("[1,1,1,1]", (await chrome.EvaluateAsync("JSON.stringify(Array.from(window.nisharpViewer.nv.opts.fontColor))"))!.ToString());
        Assert.True((await chrome.EvaluateAsync("window.nisharpViewer.nv.opts.fontMinPx"))!.GetValue<double>() >= 18);

        // The initial crosshair is in the left label: its name is shown, escaped as text.
        var before = (await chrome.EvaluateAsync("window.nisharpViewer.location.text"))!.ToString();
        Assert.Contains("x=-20.0", before);
        Assert.Contains("Left </script><b>DMN</b>", before);

        // The canvas is drawn: the screenshot of its area has many colours, including the label colour.
        var rect = (await chrome.EvaluateAsync("(() => { const r = document.getElementById('viewer').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"))!.AsArray();
        double left = rect[0]!.GetValue<double>(), top = rect[1]!.GetValue<double>(), width = rect[2]!.GetValue<double>(), height = rect[3]!.GetValue<double>();
        using (var shot = SKBitmap.Decode(await chrome.ScreenshotAsync()))
        {
            var colours = new HashSet<SKColor>();
            for (int y = (int)top + 2; y < Math.Min(shot.Height, top + height) - 2; y += 3)
            for (int x = (int)left + 2; x < Math.Min(shot.Width, left + width) - 2; x += 3)
                colours.Add(shot.GetPixel(x, y));
            Assert.True(colours.Count > 50, $"the canvas looks blank ({colours.Count} colours)");
        }

        // Clicks move the crosshair and update the shown coordinates.
        string after = before;
        foreach (var (fx, fy) in new[] { (0.2, 0.3), (0.7, 0.6), (0.4, 0.7), (0.85, 0.25) })
        {
            await chrome.ClickAsync(left + width * fx, top + height * fy);
            if (await chrome.WaitForAsync("window.nisharpViewer.clicks > 0 && window.nisharpViewer.location.text !== " + System.Text.Json.JsonSerializer.Serialize(before, Support.TestJson.Default.String), 5))
            {
                after = (await chrome.EvaluateAsync("window.nisharpViewer.location.text"))!.ToString();
                break;
            }
        }
        Assert.NotEqual(before, after);
        Assert.Matches(@"x=-?\d+\.\d, y=-?\d+\.\d, z=-?\d+\.\d mm", after);
        var shown = (await chrome.EvaluateAsync("document.getElementById('location').textContent"))!.ToString();
        Assert.Equal(after, shown);
        Assert.Empty(chrome.Errors);
    }

    [SkippableFact]
    public void Volumes_are_embedded_compressed_and_a_background_in_256_levels_takes_a_fraction_of_its_size()
    {
        // A noisy 1 mm T1w-like int16 volume (the demo's T1w is 13 MB of gzip for the same reason).
        using var dir = new TempDir();
        var rng = new Random(3);
        var shape = new[] { 160, 192, 160 };
        var data = new float[shape[0] * shape[1] * shape[2]];
        for (int k = 0, i = 0; k < shape[2]; k++)
            for (int j = 0; j < shape[1]; j++)
                for (int x = 0; x < shape[0]; x++, i++)
                {
                    double e = Math.Pow((x - 80) / 70.0, 2) + Math.Pow((j - 96) / 85.0, 2) + Math.Pow((k - 80) / 70.0, 2);
                    data[i] = e > 1 ? (float)Math.Round(20 * rng.NextDouble()) : (float)Math.Round(4000 + 2000 * Math.Sin(x / 9.0) + 300 * rng.NextDouble());
                }
        var t1 = new Image<float>(shape, Affine.Diagonal(1, 1, 1, -80, -96, -80), data);
        var path = dir.File("t1.nii");                       // uncompressed on disk, as some pipelines leave it
        t1.Save(path, NiftiDataType.Int16);
        var exact = ViewerImage.FromFile(path);
        var display = ViewerImage.FromFile(path, encoding: ViewerEncoding.Display);
        long raw = new FileInfo(path).Length;
        // Both are gzip (niivue reads .nii.gz), whatever the file was.
        Assert.True(exact.Compressed && display.Compressed);
        Assert.Equal([0x1f, 0x8b], exact.NiftiBytes.Take(2));
        Assert.True(exact.NiftiBytes.Length < raw * 3 / 4, $"exact {exact.NiftiBytes.Length} of {raw} bytes");
        Assert.True(display.NiftiBytes.Length < exact.NiftiBytes.Length * 0.6, $"display {display.NiftiBytes.Length}, exact {exact.NiftiBytes.Length}");
        // The display values are the originals to within half a level.
        var back = dir.File("back.nii.gz");
        File.WriteAllBytes(back, display.NiftiBytes);
        var shown = NiSharp.Nifti.Image.Load(back);
        double max = data.Max(), min = data.Min();
        Assert.Equal((max - min) / 255, display.Step, 1e-9);
        for (int i = 0; i < data.Length; i += 997) Assert.InRange(Math.Abs(shown.Data[i] - data[i]), 0, display.Step / 2 + 1e-3);
        // Exact keeps every value, in the smallest type.
        var exactBack = dir.File("exact.nii.gz");
        File.WriteAllBytes(exactBack, exact.NiftiBytes);
        using (var f = NiftiFile.Open(exactBack)) Assert.Equal(NiftiDataType.Int16, f.DataType);
        Assert.Equal(data, NiSharp.Nifti.Image.Load(exactBack).Data);

        // The page of the issue (a T1w and an atlas): the viewer, the 8-bit background and the atlas in uint8.
        Skip.IfNot(VolumeViewer.IsAvailable, "the viewer was not bundled (no npm at build time)");
        var page = dir.File("view.html");
        var r = CliRunner.Run("view", path, "--overlay", "yeo7-relabeled", "-o", page);
        Assert.True(r.ExitCode == 0, r.Stderr);
        long size = new FileInfo(page).Length;
        long viewer = VolumeViewer.BuildHtml(display).Length - display.NiftiBytes.Length * 4 / 3;
        Assert.True(size < viewer + (display.NiftiBytes.Length + 700_000) * 4 / 3, $"page {size} bytes");
        Assert.True(size < raw, $"the page ({size} bytes) is smaller than the uncompressed T1w ({raw} bytes)");
    }
}
