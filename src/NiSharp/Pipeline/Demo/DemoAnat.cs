using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Nifti;

namespace NiSharp.Pipeline;

/// <summary>
/// The demo's <c>anat/</c> folders, as fMRIPrep writes them: <c>sub-X_desc-preproc_T1w</c> and
/// <c>sub-X_desc-brain_mask</c> in the subject's native (T1w) space, and the same two in MNI152NLin2009cAsym on
/// fMRIPrep's 1 mm grid (193×229×193), each with a JSON sidecar. The head is the bundled FSL MNI152 T1 (skull and
/// scalp included, so that the lesson's masking exercises have something to remove) with its brain mask.
/// </summary>
/// <remarks>
/// Every demo subject shares one anatomy (the BOLD series are built on the same template), so the images are
/// computed once per dataset and copied. "Native" space is MNI space shifted by <see cref="NativeShift"/>: a
/// different voxel-to-world mapping of the same head, which is all the lesson needs to tell the two apart; the
/// T1w-space BOLD runs (<see cref="DemoOptions.T1wSpaceSubjects"/>) use the same shift.
/// </remarks>
internal static class DemoAnat
{
    /// <summary>fMRIPrep's MNI152NLin2009cAsym 1 mm grid (templateflow <c>res-01</c>): 193×229×193 voxels from (−96, −132, −78) mm.</summary>
    public static Grid MniGrid { get; } = new(193, 229, 193, Affine.Diagonal(1, 1, 1, -96, -132, -78));

    /// <summary>How far (mm) native space is from MNI space in the demo.</summary>
    public static (double X, double Y, double Z) NativeShift => (2, 19, 14);

    /// <summary>The affine of <paramref name="mni"/>'s voxels in native space.</summary>
    public static Affine ToNative(Affine mni) => Affine.Diagonal(1, 1, 1, NativeShift.X, NativeShift.Y, NativeShift.Z) * mni;

    /// <summary>The anat file prefix of a subject, relative to the dataset root.</summary>
    public static string Prefix(string id) => $"sub-{id}/anat/sub-{id}";

    /// <summary>Whether the subject's four anat images and their sidecars are there (sidecars are written last).</summary>
    public static bool IsComplete(string dataDir, string id)
    {
        var p = Path.Combine(dataDir, Prefix(id));
        return File.Exists(p + "_desc-brain_mask.json") && File.Exists(p + $"_space-{DemoDataset.Space}_desc-brain_mask.json");
    }

    /// <summary>Writes the anat folders of <paramref name="ids"/>: the images once, then copies.</summary>
    public static void Write(string dataDir, IReadOnlyList<string> ids, DemoOptions options)
    {
        if (ids.Count == 0) return;
        var (t1, mask) = Images();
        var space = "_space-" + DemoDataset.Space;
        // (file suffix, writer) for the first subject; the others get byte copies.
        var files = new (string Suffix, Action<string> Save)[]
        {
            ("_desc-preproc_T1w.nii.gz", p => new Image<short>(t1.Shape, ToNative(t1.Affine), t1.Data, t1.Header).Save(p)),
            ("_desc-brain_mask.nii.gz", p => new Image<byte>(mask.Shape, ToNative(mask.Affine), mask.Data, mask.Header).Save(p)),
            (space + "_desc-preproc_T1w.nii.gz", p => t1.Save(p)),
            (space + "_desc-brain_mask.nii.gz", p => mask.Save(p)),
        };
        var first = Path.Combine(dataDir, Prefix(ids[0]));
        foreach (var id in ids)
        {
            var prefix = Path.Combine(dataDir, Prefix(id));
            Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
            foreach (var (suffix, save) in files)
            {
                if (id == ids[0]) save(prefix + suffix);
                else AtomicFile.Write(prefix + suffix, s => { using var src = File.OpenRead(first + suffix); src.CopyTo(s); });
            }
            WriteSidecars(prefix, id);
        }
    }

    /// <summary>The T1w (int16, FSL MNI152 head resampled with cubic splines) and brain mask (uint8) on <see cref="MniGrid"/>.</summary>
    private static (Image<short> T1, Image<byte> Mask) Images()
    {
        var head = Resampling.ResampleToGrid(Templates.Load("mni152-fsl-2mm"), MniGrid, Interpolation.Continuous);
        // The bundled FSL mask leaves the ventricles out; fMRIPrep's brain mask is solid: fill what the outside cannot reach.
        var fsl = Templates.Load("mni152-fsl-2mm-brainmask");
        var (nx, ny, nz) = (fsl.SpatialShape[0], fsl.SpatialShape[1], fsl.SpatialShape[2]);
        var outside = Morphology.LargestComponent(fsl.Data.Select(v => v <= 0.5f).ToArray(), nx, ny, nz);
        var filled = fsl.WithData(outside.Select(o => o ? 0f : 1f).ToArray());
        var brain = Resampling.ResampleToGrid(filled, MniGrid, Interpolation.Nearest);
        var t1 = new short[head.Data.Length];
        var mask = new byte[brain.Data.Length];
        for (int v = 0; v < t1.Length; v++)
        {
            // Cubic splines overshoot a little at the edge of the head: clip to the template's non-negative range.
            t1[v] = (short)Math.Clamp(MathF.Round(head.Data[v]), 0, short.MaxValue);
            mask[v] = brain.Data[v] > 0.5f ? (byte)1 : (byte)0;
        }
        var header = new NiftiHeader { Pixdim = [1, 1, 1, 1, 0, 1, 1, 1], XyztUnits = 2, SformCode = 4, QformCode = 4, Descrip = "NiSharp demo T1w (FSL MNI152)" };
        return (new Image<short>(MniGrid.Shape, MniGrid.Affine, t1, header),
                new Image<byte>(MniGrid.Shape, MniGrid.Affine, mask, header with { Descrip = "NiSharp demo brain mask" }));
    }

    private static void WriteSidecars(string prefix, string id)
    {
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var raw = $"bids:raw:sub-{id}/anat/sub-{id}_T1w.nii.gz";
        var space = "_space-" + DemoDataset.Space;
        AtomicFile.WriteAllText(prefix + "_desc-preproc_T1w.json",
            new JsonObject { ["SkullStripped"] = false, ["Sources"] = new JsonArray(raw) }.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(prefix + space + "_desc-preproc_T1w.json",
            new JsonObject { ["SkullStripped"] = false, ["SpatialReference"] = $"https://templateflow.s3.amazonaws.com/tpl-{DemoDataset.Space}/tpl-{DemoDataset.Space}_res-01_T1w.nii.gz" }.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(prefix + space + "_desc-brain_mask.json",
            new JsonObject { ["Type"] = "Brain", ["RawSources"] = new JsonArray(raw) }.ToJsonString(indented) + "\n");
        // The native mask's sidecar last: with the other three it marks the folder complete.
        AtomicFile.WriteAllText(prefix + "_desc-brain_mask.json",
            new JsonObject { ["Type"] = "Brain", ["RawSources"] = new JsonArray(raw) }.ToJsonString(indented) + "\n");
    }
}
