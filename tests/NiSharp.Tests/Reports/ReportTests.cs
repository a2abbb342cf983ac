using NiSharp.Maskers;
using System.Text.RegularExpressions;
using NiSharp.Plotting;
using NiSharp.Reports;
using NiSharp.Tests.Plotting;
using NiSharp.Tests.Support;
using SkiaSharp;

namespace NiSharp.Tests.Reports;

public class ReportTests
{
    private const string Hostile = "<img src=x onerror=alert(1)>&\"'";

    private static SubjectReportInput Subject()
    {
        int n = 60;
        var fd = Enumerable.Range(0, n).Select(t => t == 0 ? double.NaN : 0.1 + (t % 17 == 0 ? 0.9 : 0.02 * (t % 5))).ToArray();
        var roi = SliceViewTests.Synthetic("LIA").As<int>();
        var epi = SliceViewTests.Synthetic("LIA", (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 500 + (float)y);
        var m = new double[3, 3] { { 1, 0.4, 0 }, { 0.4, 1, 0 }, { 0, 0, 1 } };
        return new SubjectReportInput
        {
            Subject = "sub-01",
            Details = [("bold", "sub-01_task-rest_" + Hostile + "_bold.nii.gz")],
            FramewiseDisplacement = fd,
            Censored = ConfoundsTrace.ExceedingThresholds(fd, 0.5, null, 1.5),
            RepetitionTime = 2,
            Coverage = [new RegionCoverage(1, "left " + Hostile, null, 100, 100, 100, 1.0, RegionStatus.Extracted), new RegionCoverage(2, "right", null, 100, 20, 20, 0.2, RegionStatus.Extracted)],
            MeanEpi = epi,
            Atlas = roi,
            Labels = [new LabelColor(1, "left " + Hostile, 230, 25, 75), new LabelColor(2, "right", 0, 130, 200)],
            Connectivity = m,
            RegionNames = ["left", "right", "empty"],
        };
    }

    private static GroupReportInput Group() => new()
    {
        Comparisons = [("DMN 44-46", [new GroupValue("control", 0.5), new GroupValue("control", 0.6), new GroupValue("schizophrenia", 0.4), new GroupValue("schizophrenia", 0.45)])],
        Statistics = new ReportTable(["edge", "t", "p"], [["44-46", "2.1", "0.04"]]),
        Subjects = ["sub-01", "sub-02", "sub-03", "sub-04"],
        Failures = [new FailedSubject("sub-05", "truncated data: " + Hostile, "sub-05_bold.nii.gz")],
        MeanConnectivity = new double[2, 2] { { 1, 0.3 }, { 0.3, 1 } },
    };

    [Fact]
    public void Reports_escape_every_input_text_and_embed_their_pictures()
    {
        foreach (var html in new[] { SubjectReport.Build(Subject()).ToHtml(), GroupReport.Build(Group()).ToHtml() })
        {
            Assert.DoesNotContain("<img src=x", html);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;", html);
            // Self-contained: every image (an img, or a picture inside an inline SVG figure) is a data URI; nothing to fetch.
            var srcs = Regex.Matches(html, "(?:src|href)=\"([^\"]{0,40})").Select(m => m.Groups[1].Value).Where(s => !s.EndsWith(".html") && !s.Contains(".html")).ToList();
            Assert.NotEmpty(srcs);
            Assert.All(srcs, s => Assert.StartsWith("data:image/", s));
            var fetched = html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", ""); // a namespace name, never fetched
            Assert.DoesNotContain("http://", fetched);
            Assert.DoesNotContain("https://", fetched);
        }
        var subject = SubjectReport.Build(Subject()).ToHtml();
        Assert.Equal(3, Regex.Matches(subject, "<figure><svg ").Count); // FD trace, atlas on the mean EPI, matrix: vector figures
        Assert.DoesNotContain("<img ", subject);
        // Each inline figure is well-formed XML (the browser parses inline SVG leniently; a viewer of the saved figure does not).
        foreach (Match m in Regex.Matches(subject, "<svg [\\s\\S]*?</svg>"))
            System.Xml.Linq.XDocument.Parse(m.Value.Replace("role=\"img\" ", ""));
        Assert.Contains("less than half covered", subject);
        var group = GroupReport.Build(Group()).ToHtml();
        Assert.Contains("sub-05", group);
        Assert.Contains("truncated data", group);
    }

    [Fact]
    public void Pages_sharing_a_runs_parts_are_the_pages_built_alone()
    {
        // The atlases of a run share the motion figure and the background; a page whose run differs (its FD, its mean EPI)
        // gets its own, so sharing never changes a page.
        var a = Subject();
        var otherAtlas = a with { Atlas = SliceViewTests.Synthetic("LIA", (x, y, z) => x * x / 900 + y * y / 900 + z * z / 900 > 1 ? 0 : y < 0 ? 3 : 4).As<int>() };
        var otherRun = a with
        {
            FramewiseDisplacement = a.FramewiseDisplacement!.Select(v => v * 2).ToArray(),
            MeanEpi = SliceViewTests.Synthetic("LIA", (x, y, z) => x * x / 1600 + y * y / 2500 + z * z / 1225 > 1 ? 0 : 700 - (float)z),
        };
        var parts = new SubjectPageParts();
        foreach (var input in new[] { a, otherAtlas, otherRun, a })
            Assert.Equal(SubjectReport.Build(input).ToHtml(), SubjectReport.Build(input, parts).ToHtml());
    }

    [Fact]
    public void A_page_written_to_a_stream_is_its_html_in_utf8()
    {
        var page = SubjectReport.Build(Subject() with { Subject = "sub-01 é€𝄞" });
        using var s = new MemoryStream();
        page.WriteTo(s);
        Assert.Equal(new System.Text.UTF8Encoding(false).GetBytes(page.ToHtml()), s.ToArray());
    }

    [Fact]
    public void Coverage_table_has_nilearns_masker_report_columns()
    {
        // nilearn's masker report: label value, region name, size (in mm^3), relative size (in %)
        var input = Subject();
        var html = SubjectReport.Build(input).ToHtml();
        Assert.Contains("<th>size (in mm^3)</th><th>relative size (in %)</th>", html);
        double voxel = Math.Abs(input.Atlas!.Affine.Determinant3x3);
        Assert.Contains($"<td class=\"num\">{Math.Round(100 * voxel)}</td><td class=\"num\">83.33</td>", html);   // label 1: 100 of 120 labelled voxels
        Assert.Contains($"<td class=\"num\">{Math.Round(20 * voxel)}</td><td class=\"num\">16.67</td>", html);
    }

    [Fact]
    public void Embedded_png_is_the_figure()
    {
        var fig = MatrixPlot.Connectivity(new double[2, 2] { { 1, 0.5 }, { 0.5, 1 } });
        var html = new HtmlReport("t").Figure(fig, "m").Figure(fig, "svg", FigureFormat.Svg).ToHtml();
        var b64 = Regex.Match(html, "data:image/png;base64,([^\"]+)").Groups[1].Value;
        using var bmp = SKBitmap.Decode(Convert.FromBase64String(b64));
        Assert.Equal((fig.Width, fig.Height), (bmp.Width, bmp.Height));
        Assert.Contains("data:image/svg+xml;base64,", html);
    }

    [SkippableFact]
    public async Task Reports_open_in_headless_chromium_without_errors_and_show_their_images()
    {
        Skip.If(HeadlessChromium.Executable is null, "Chromium is not installed (apt-get install chromium)");
        using var dir = new TempDir();
        SubjectReport.Save(dir.File("subject.html"), Subject());
        GroupReport.Save(dir.File("group.html"), Group());
        await using var chrome = await HeadlessChromium.StartAsync(1200, 900);
        foreach (var page in new[] { "subject.html", "group.html" })
        {
            await chrome.OpenFileAsync(dir.File(page));
            Assert.True(await chrome.WaitForAsync("Array.from(document.images).every(i => i.complete)", 20));
            var broken = (await chrome.EvaluateAsync("Array.from(document.images).filter(i => !(i.naturalWidth > 0)).length"))!.GetValue<int>();
            Assert.Equal(0, broken);
            var count = (await chrome.EvaluateAsync("document.images.length + document.querySelectorAll('figure svg').length"))!.GetValue<int>();
            Assert.True(count >= 2, $"{page}: {count} images");
            var hostile = (await chrome.EvaluateAsync("document.body.textContent.includes('<img src=x onerror=alert(1)>')"))!.GetValue<bool>();
            Assert.True(hostile, $"{page}: the escaped text is shown as text");
            using var shot = SKBitmap.Decode(await chrome.ScreenshotAsync());
            var colours = new HashSet<SKColor>();
            for (int y = 0; y < shot.Height; y += 4)
            for (int x = 0; x < shot.Width; x += 4)
                colours.Add(shot.GetPixel(x, y));
            Assert.True(colours.Count > 20, $"{page} looks blank");
        }
        Assert.Empty(chrome.Errors);
    }
}
