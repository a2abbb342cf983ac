using System.CommandLine;
using System.Globalization;
using NiSharp.Bids;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Signal;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp clean BOLD [--mask M] [--confounds TSV [--columns …|--strategy …] [--derivatives]]
/// [--detrend] [--standardize zscore|zscore_sample|psc|none] [--low-pass HZ] [--high-pass HZ] [--t-r S]
/// [--dummy-scans N] [--extrapolate] [--censored-interpolation all|nilearn] [--nilearn-semantics 0.14|0.10.4] -o OUT.nii.gz</c>: nilearn's <c>clean_img</c> on a 4D image, with the confounds
/// chosen from an fMRIPrep file; writes the cleaned image and a JSON sidecar of every parameter.
/// </summary>
internal static class CleanCommand
{
    public static Command Create()
    {
        var bold = new Argument<string>("BOLD") { Description = "4D image (.nii or .nii.gz)" };
        var mask = new Option<string?>("--mask") { Description = "Binary 3D mask on the image's grid; voxels outside are 0 in the output" };
        var confounds = new Option<string?>("--confounds") { Description = "fMRIPrep confounds TSV; without --columns or --strategy every numeric column is a regressor" };
        var sel = SelectionOptions.Create(includeDummyAuto: true, includeScrubThresholds: false);
        var detrend = new Option<bool>("--detrend") { Description = "Remove linear trends from the signals and confounds (off unless given)" };
        var standardize = new Option<string>("--standardize") { Description = "zscore (population std), zscore_sample (sample std), psc or none", DefaultValueFactory = _ => "zscore_sample" };
        var lowPass = new Option<double?>("--low-pass") { Description = "Low-pass cut-off in Hz (e.g. 0.08)" };
        var highPass = new Option<double?>("--high-pass") { Description = "High-pass cut-off in Hz (e.g. 0.009)" };
        var tr = new Option<double?>("--t-r") { Description = "Repetition time in seconds (default: the BIDS sidecar's RepetitionTime, else the NIfTI header)" };
        var output = new Option<string>("--output", "-o") { Description = "Cleaned image to write (.nii or .nii.gz); a .json sidecar is written beside it", Required = true };
        var cmd = new Command("clean", "Clean a 4D image like nilearn's clean_img: detrend, Butterworth filter, confound regression, standardise, censor")
        {
            bold, mask, confounds, detrend, standardize, lowPass, highPass, tr, output,
        };
        sel.AddTo(cmd);
        var compat = new CleanCompatibilityOptions();
        compat.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var boldPath = p.GetValue(bold)!;
            var outPath = p.GetValue(output)!;
            int volumes;
            using (var f = NiftiFile.Open(boldPath))
            {
                if (f.Header.NDim < 4) throw new NiSharpException(boldPath, $"clean needs a 4D image; this one is {Image.ShapeText(f.Shape)}");
                volumes = f.VolumeCount;
            }
            bool filtering = p.GetValue(lowPass) is not null || p.GetValue(highPass) is not null;
            var repetitionTime = ResolvedRepetitionTime.Resolve(boldPath, p.GetValue(tr), parameter: "--t-r");
            double? t_r = repetitionTime.Seconds;
            if (filtering && t_r is null)
                throw new NiSharpException(boldPath, "filtering needs the repetition time: the header and sidecar have none; give --t-r");
            var options = compat.Apply(p, new CleanOptions
            {
                Detrend = p.GetValue(detrend),
                Standardize = CleanOptions.ParseStandardize(p.GetValue(standardize)!),
                LowPass = p.GetValue(lowPass),
                HighPass = p.GetValue(highPass),
                RepetitionTime = t_r,
            }).Validate();

            var (selection, dummy) = sel.SelectForRun(p, p.GetValue(confounds), boldPath, volumes, p.GetValue(sel.StrategyOption));

            var warnings = new List<string>();
            var result = ImageCleaner.Clean(boldPath, outPath, options, p.GetValue(mask), selection?.Regressors,
                selection?.SampleMaskOrNull, runs: null, dummyScans: dummy, warnings: warnings);

            var sidecar = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Sources"] = new[] { boldPath }.Concat(p.GetValue(confounds) is string c ? [c] : []).Concat(p.GetValue(mask) is string m ? [m] : []).ToArray(),
                ["RepetitionTime"] = t_r,
                ["RepetitionTimeSource"] = repetitionTime.Source,
                ["dummy_scans"] = dummy,
                ["n_volumes_in"] = result.VolumesIn,
                ["n_volumes_out"] = result.VolumesOut,
                ["n_voxels"] = result.Voxels,
                ["dtype"] = result.DataType,
                ["mask_img"] = p.GetValue(mask),
                ["clean"] = SignalCleaner.EffectiveParameters(options, selection?.Columns, selection?.SampleMaskOrNull, result.VolumesIn - dummy),
                ["confounds"] = selection?.ToParameters(),
                ["warnings"] = warnings.ToArray(),
            };
            AtomicFile.WriteAllText(BidsMetadata.SidecarPath(outPath), ParameterJson.Serialize(sidecar));
            foreach (var w in warnings) p.Err().WriteLine($"nisharp: warning: {w}");
            p.Out().WriteLine($"{outPath}: {result.VolumesOut} volumes ({result.VolumesIn} in, {dummy} dummy, {result.VolumesIn - dummy - result.VolumesOut} censored), " +
                              $"{result.Voxels} voxels, {result.DataType}" +
                              (selection is null ? "" : $", {selection.Columns.Count} regressors") +
                              (t_r is double s ? $", TR {s.ToString("0.###", CultureInfo.InvariantCulture)} s ({repetitionTime.Source})" : ""));
            return 0;
        });
        return cmd;
    }
}
