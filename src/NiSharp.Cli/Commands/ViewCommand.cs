using System.CommandLine;
using NiSharp.Atlases;
using NiSharp.Plotting;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp view IMG [--overlay ATLAS|STAT] [--threshold T] -o view.html</c>: one self-contained HTML page
/// with an interactive viewer (nilearn <c>view_img</c>), to open offline in any browser.
/// </summary>
internal static class ViewCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("IMG") { Description = "Background image (.nii, .nii.gz); a 4D image shows --volume" };
        var overlay = new Option<string?>("--overlay") { Description = "Atlas (integer labels) or statistical map drawn over IMG; a bundled atlas name (yeo7, schaefer100-7, …) brings its own label names and colours" };
        var threshold = new Option<double>("--threshold") { Description = "Stat overlay: hide |value| below T (changeable on the page)", DefaultValueFactory = _ => 0 };
        var lut = new Option<string?>("--lut") { Description = "Label names/colours of an atlas overlay: FreeSurfer colour LUT or TSV (index, name[, color])" };
        var opacity = new Option<double>("--opacity") { Description = "Initial overlay opacity (0-1)", DefaultValueFactory = _ => 0.7 };
        var volume = new Option<int>("--volume") { Description = "Volume of a 4D image to show", DefaultValueFactory = _ => 0 };
        var title = new Option<string?>("--title") { Description = "Page title" };
        var exact = new Option<bool>("--exact") { Description = "Embed IMG's values as they are (a bigger page) instead of 256 grey levels between its minimum and maximum" };
        var output = new Option<string>("--output", "-o") { Description = "Output page (view.html)", Required = true };
        var cmd = new Command("view", "Write an interactive, self-contained HTML viewer of an image (and an atlas or stat overlay)")
            { image, overlay, threshold, lut, opacity, volume, title, exact, output };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            if (!outPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !outPath.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
                throw new NiSharpException(outPath, "the viewer is an HTML page: name the output FILE.html");
            if (!VolumeViewer.IsAvailable)
                throw new NiSharpException("the interactive viewer is not available in this build: npm was missing when NiSharp was built, so niivue could not be bundled; install Node.js and npm and rebuild");
            var bg = ViewerImage.FromFile(p.GetValue(image)!, p.GetValue(volume), p.GetValue(exact) ? ViewerEncoding.Exact : ViewerEncoding.Display);
            var ovPath = p.GetValue(overlay);
            ViewerImage? ov = null;
            IReadOnlyList<LabelColor>? labels = p.GetValue(lut) is string l ? LabelColors.Read(l) : null;
            bool? overlayIsLabels = null;
            if (ovPath is not null && !File.Exists(ovPath) && AtlasCatalog.Find(ovPath) is AtlasInfo info)
            {
                // Its label table names and colours it.
                ov = ViewerImage.FromFile(BundledData.PathOf(info.ImageFile)) with { Name = info.Name };
                labels ??= LabelColors.FromTable(Atlas.BundledLabels(info));
                overlayIsLabels = true;
            }
            else if (ovPath is not null) ov = ViewerImage.FromFile(ovPath);
            var options = new ViewerOptions
            {
                Title = p.GetValue(title),
                Threshold = p.GetValue(threshold),
                OverlayOpacity = p.GetValue(opacity),
                Labels = labels,
                OverlayIsLabels = overlayIsLabels,
            };
            VolumeViewer.Save(outPath, bg, ov, options);
            p.Out().WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length / 1024} KiB, self-contained)");
            return 0;
        });
        return cmd;
    }
}
