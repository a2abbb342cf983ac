using System.CommandLine;
using NiSharp.Atlases;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp relabel ATLAS [--min-size MM3] [--no-diagonal] -o OUT [--labels-out labels.tsv]</c>:
/// nilearn's connected_label_regions.
/// </summary>
internal static class RelabelCommand
{
    public static Command Create()
    {
        var atlas = new Argument<string>("ATLAS") { Description = "Label image (NIfTI) or bundled atlas name (e.g. yeo7-thick)" };
        var labels = new Option<string?>("--labels") { Description = "Label file naming the input labels (FreeSurfer LUT, Schaefer TXT, CSV or TSV)" };
        var minSize = new Option<double?>("--min-size") { Description = "Drop parts of at most this volume, in mm³" };
        var noDiagonal = new Option<bool>("--no-diagonal") { Description = "Face (6-) connectivity instead of 26" };
        var output = new Option<string>("--output", "-o") { Description = "Output label image (int32)", Required = true };
        var labelsOut = new Option<string?>("--labels-out") { Description = "Write the new labels (index, name, network, color) as TSV" };
        var cmd = new Command("relabel", "Split each label into its spatially connected regions (nilearn connected_label_regions)")
        {
            atlas, labels, minSize, noDiagonal, output, labelsOut,
        };
        cmd.SetAction(p =>
        {
            var a = Atlas.Load(p.GetValue(atlas)!, p.GetValue(labels));
            if (p.GetValue(labels) is not null && a.AbsentLabelsWarning() is string warning) p.Err().WriteLine($"nisharp: warning: {warning}");
            var r = a.ConnectedLabelRegions(p.GetValue(minSize), !p.GetValue(noDiagonal));
            var outPath = p.GetValue(output)!;
            r.Save(outPath, p.GetValue(labelsOut));
            p.Out().WriteLine($"{outPath}: {a.LabelsPresent.Count} labels → {r.Labels.Regions.Count} connected regions");
            return 0;
        });
        return cmd;
    }
}
