using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>A bundled template image.</summary>
/// <param name="Name">Lookup name, e.g. <c>mni152</c>.</param>
/// <param name="Description">One line for listings.</param>
/// <param name="File">Path relative to <c>data/</c>.</param>
/// <param name="Licence">Licence and source.</param>
public sealed record TemplateInfo(string Name, string Description, string File, string Licence);

/// <summary>The MNI templates NiSharp ships (nilearn's <c>load_mni152_template</c> and FSL's 2 mm ones).</summary>
public static class Templates
{
    /// <summary>Every bundled template.</summary>
    public static IReadOnlyList<TemplateInfo> All { get; } =
    [
        new("mni152", "MNI ICBM152 2009a symmetric T1, 1 mm (nilearn's load_mni152_template data)", "templates/nilearn_mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz", "ICBM 2009a (Fonov et al. 2011, McConnell Brain Imaging Centre); from nilearn's package data, BSD-3-Clause"),
        new("mni152-fsl-2mm", "FSL MNI152 (MNI152NLin6) T1, 2 mm", "templates/neuroparc_MNI152NLin6_res-2x2x2_T1w.nii.gz", "FSL MNI152 (Jenkinson/Smith); from neurodata/neuroparc, Apache-2.0"),
        new("mni152-fsl-2mm-brain", "FSL MNI152 T1 brain, 2 mm", "templates/neuroparc_MNI152NLin6_res-2x2x2_T1w_descr-brain.nii.gz", "FSL MNI152 (Jenkinson/Smith); from neurodata/neuroparc, Apache-2.0"),
        new("mni152-fsl-2mm-brainmask", "FSL MNI152 brain mask, 2 mm", "templates/neuroparc_MNI152NLin6_res-2x2x2_T1w_descr-brainmask.nii.gz", "FSL MNI152 (Jenkinson/Smith); from neurodata/neuroparc, Apache-2.0"),
    ];

    /// <summary>The fsLR 91k grayordinates (a <c>.dscalar.nii</c> of ones; licence in <c>data/README.md</c>): the layout of
    /// fMRIPrep's <c>space-fsLR_den-91k</c> CIFTI files, 29696 + 29716 cortical vertices of the fsLR 32k mesh and 31870
    /// subcortical voxels in 19 structures on the 2 mm MNI grid.</summary>
    public static TemplateInfo Fslr91k { get; } = new("fslr-91k", "fsLR 91k grayordinates (HCP / fMRIPrep --cifti-output 91k)", "templates/fsLR_den-91k_ones.dscalar.nii.gz",
        "Connectome Workbench test data (nibabel-nitest-cifti2), Open Data Commons PDDL");

    /// <summary>The grayordinates of <see cref="Fslr91k"/>.</summary>
    public static Cifti.BrainModelAxis Fslr91kGrayordinates() =>
        Cifti.CiftiFile.ReadHeader(BundledData.PathOf(Fslr91k.File)).Axis<Cifti.BrainModelAxis>(1, Fslr91k.Name);

    /// <summary>The template called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static TemplateInfo? Find(string name)
    {
        var n = name.Trim().ToLowerInvariant().Replace('_', '-');
        n = n switch { "mni" or "mni152-t1" or "icbm152" => "mni152", "mni152-2mm" or "fsl-mni152" => "mni152-fsl-2mm", _ => n };
        return All.FirstOrDefault(t => t.Name == n);
    }

    /// <summary>The template's file on disk (extracted from the assembly on first use).</summary>
    public static string PathOf(string name) =>
        BundledData.PathOf((Find(name) ?? throw Unknown(name)).File);

    /// <summary>Loads a template as float32.</summary>
    public static Image<float> Load(string name) => Image.Load(PathOf(name));

    private static NiSharpException Unknown(string name) =>
        new($"unknown template '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})");
}
