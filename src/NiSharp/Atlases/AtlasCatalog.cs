namespace NiSharp.Atlases;

/// <summary>A bundled atlas: what it is, where its files are (inside <c>data/</c>), and its licence line.</summary>
/// <param name="Name">The lookup name, e.g. <c>yeo7-thick</c>.</param>
/// <param name="Description">One line for listings.</param>
/// <param name="ImageFile">The label image, relative to <c>data/</c>.</param>
/// <param name="LabelsFile">The label file, relative to <c>data/</c>, or null when the names are derived.</param>
/// <param name="Space">The template space and grid, in words.</param>
/// <param name="Licence">Licence and citation.</param>
/// <param name="Template">The template space as TemplateFlow names it (<see cref="TemplateSpace"/>): what the atlas is
/// compared with the data's space by.</param>
public sealed record AtlasInfo(string Name, string Description, string ImageFile, string? LabelsFile, string Space, string Licence, string Template);

/// <summary>A bundled grayordinate atlas: one label map of a CIFTI <c>.dlabel.nii</c> inside <c>data/</c>.</summary>
/// <param name="Name">The lookup name, e.g. <c>conte69-composite</c>.</param>
/// <param name="Description">One line for listings.</param>
/// <param name="File">The <c>.dlabel.nii(.gz)</c>, relative to <c>data/</c>.</param>
/// <param name="Map">The label map used, 1-based (<c>--atlas-map</c> picks another map of the same file).</param>
/// <param name="Space">The mesh and space.</param>
/// <param name="Licence">Licence and citation.</param>
public sealed record GrayordinateAtlasInfo(string Name, string Description, string File, int Map, string Space, string Licence);

/// <summary>The atlases NiSharp ships (so nothing needs downloading, as nilearn's <c>fetch_atlas_*</c> would).</summary>
/// <remarks>The AAL and Harvard-Oxford images come from neuroparc, but not their label files, which do not match the
/// images (AAL2 names for an AAL1 image; Harvard-Oxford subcortical left/right swapped; cortical label 7 misnamed):
/// the bundled label files are corrected, see <c>data/README.md</c>.</remarks>
public static class AtlasCatalog
{
    private const string Yeo = "atlases/yeo2011/";
    private const string Schaefer = "atlases/schaefer2018/";
    private const string Neuroparc = "atlases/neuroparc/";
    private const string YeoLicence = "Yeo et al. 2011, J Neurophysiol 106:1125-1165; files from FreeSurfer/CBIG via the SDC-BIDS-fMRI lesson (see Yeo_JNeurophysiol11_MNI152_README; lesson CC-BY 4.0)";
    private const string SchaeferLicence = "Schaefer et al. 2018, Cereb Cortex 28:3095-3114; CBIG, MIT licence";
    private const string NeuroparcLicence = "neurodata/neuroparc, Apache-2.0";
    // Every bundled volume atlas is drawn on FSL's MNI152 (Yeo: the FSL MNI152 1 mm template conformed by FreeSurfer, see
    // the Yeo README; Schaefer: FSLMNI152; neuroparc: MNI152NLin6), TemplateFlow's MNI152NLin6Asym.
    private const string Fsl = TemplateSpace.MNI152NLin6Asym;

    /// <summary>Every bundled atlas, in listing order.</summary>
    public static IReadOnlyList<AtlasInfo> All { get; } =
    [
        new("yeo7", "Yeo 2011, 7 networks, thin (cortical ribbon), 1 mm", Yeo + "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm.nii.gz", Yeo + "Yeo2011_7Networks_ColorLUT.txt", "MNI152 (FreeSurfer-conformed 256³, LIA)", YeoLicence, Fsl),
        new("yeo7-thick", "Yeo 2011, 7 networks, thick (liberal mask), 1 mm", Yeo + "Yeo2011_7Networks_MNI152_FreeSurferConformed1mm_LiberalMask.nii.gz", Yeo + "Yeo2011_7Networks_ColorLUT.txt", "MNI152 (FreeSurfer-conformed 256³, LIA)", YeoLicence, Fsl),
        new("yeo17", "Yeo 2011, 17 networks, thin (cortical ribbon), 1 mm", Yeo + "Yeo2011_17Networks_MNI152_FreeSurferConformed1mm.nii.gz", Yeo + "Yeo2011_17Networks_ColorLUT.txt", "MNI152 (FreeSurfer-conformed 256³, LIA)", YeoLicence, Fsl),
        new("yeo17-thick", "Yeo 2011, 17 networks, thick (liberal mask), 1 mm", Yeo + "Yeo2011_17Networks_MNI152_FreeSurferConformed1mm_LiberalMask.nii.gz", Yeo + "Yeo2011_17Networks_ColorLUT.txt", "MNI152 (FreeSurfer-conformed 256³, LIA)", YeoLicence, Fsl),
        new("yeo7-relabeled", "the lesson's relabelled Yeo atlas: connected_label_regions(yeo7-thick), 49 regions, networks by overlap", Yeo + "relabeled_yeo_atlas.nii.gz", null, "MNI152 (FreeSurfer-conformed 256³, LIA)", YeoLicence, Fsl),
        new("schaefer100-7", "Schaefer 2018, 100 parcels, 7 networks, 2 mm", Schaefer + "Schaefer2018_100Parcels_7Networks_order_FSLMNI152_2mm.nii.gz", Schaefer + "Schaefer2018_100Parcels_7Networks_order.txt", "FSL MNI152 2 mm (91×109×91)", SchaeferLicence, Fsl),
        new("schaefer100-17", "Schaefer 2018, 100 parcels, 17 networks, 2 mm", Schaefer + "Schaefer2018_100Parcels_17Networks_order_FSLMNI152_2mm.nii.gz", Schaefer + "Schaefer2018_100Parcels_17Networks_order.txt", "FSL MNI152 2 mm (91×109×91)", SchaeferLicence, Fsl),
        new("schaefer400-7", "Schaefer 2018, 400 parcels, 7 networks, 2 mm", Schaefer + "Schaefer2018_400Parcels_7Networks_order_FSLMNI152_2mm.nii.gz", Schaefer + "Schaefer2018_400Parcels_7Networks_order.txt", "FSL MNI152 2 mm (91×109×91)", SchaeferLicence, Fsl),
        new("aal", "AAL (Tzourio-Mazoyer 2002), 116 regions, 2 mm", Neuroparc + "AAL_space-MNI152NLin6_res-2x2x2.nii.gz", Neuroparc + "AAL1.labels.tsv", "MNI152NLin6 2 mm (91×109×91)", "Tzourio-Mazoyer et al. 2002, NeuroImage 15:273-289; " + NeuroparcLicence, Fsl),
        new("harvard-oxford", "Harvard-Oxford cortical, max-prob thr25, 48 regions, 2 mm", Neuroparc + "HarvardOxfordcort-maxprob-thr25_space-MNI152NLin6_res-2x2x2.nii.gz", Neuroparc + "HarvardOxfordcort.labels.tsv", "MNI152NLin6 2 mm (91×109×91)", "Harvard-Oxford atlas (FSL, Makris/Kennedy/Desikan); " + NeuroparcLicence, Fsl),
        new("harvard-oxford-sub", "Harvard-Oxford subcortical, max-prob thr25, 21 regions, 2 mm", Neuroparc + "HarvardOxfordsub-maxprob-thr25_space-MNI152NLin6_res-2x2x2.nii.gz", Neuroparc + "HarvardOxfordsub.labels.tsv", "MNI152NLin6 2 mm (91×109×91)", "Harvard-Oxford atlas (FSL, Makris/Kennedy/Desikan); " + NeuroparcLicence, Fsl),
    ];

    private const string Conte69 = "atlases/conte69/Conte69.parcellations_VGD11b.32k_fs_LR.dlabel.nii.gz";
    private const string Conte69Licence = "Van Essen et al. 2012, Cereb Cortex 22:2241-2262 (Conte69 atlas, VGD11b parcellations); files from nibabel-nitest-cifti2, Open Data Commons PDDL";

    /// <summary>
    /// The bundled grayordinate (fsLR) atlases: label maps on the fsLR 32k mesh, the surfaces of fMRIPrep's
    /// <c>space-fsLR_den-91k</c> grayordinates, for <c>.dtseries.nii</c> data (<see cref="GrayordinateAtlas.Load"/>).
    /// </summary>
    public static IReadOnlyList<GrayordinateAtlasInfo> Grayordinate { get; } =
    [
        new("conte69-composite", "Conte69 composite cortical areas (Brodmann FRB08, orbitofrontal OFP03, visual), 53 areas + medial wall",
            Conte69, 1, "fsLR 32k (both hemispheres)", Conte69Licence),
        new("conte69-brodmann", "Conte69 Brodmann areas (B05, Colin via PALS), 41 areas + medial wall", Conte69, 2, "fsLR 32k (both hemispheres)", Conte69Licence),
    ];

    /// <summary>The bundled grayordinate atlas called <paramref name="name"/> (case-insensitive; <c>_</c> works as <c>-</c>), or null.</summary>
    public static GrayordinateAtlasInfo? FindGrayordinate(string name)
    {
        var n = name.Trim().ToLowerInvariant().Replace('_', '-');
        return Grayordinate.FirstOrDefault(a => a.Name == n);
    }

    /// <summary>The bundled atlas called <paramref name="name"/> (case-insensitive; <c>_</c> works as <c>-</c>), or null.</summary>
    public static AtlasInfo? Find(string name)
    {
        var n = name.Trim().ToLowerInvariant().Replace('_', '-');
        n = n switch { "yeo7-relabelled" => "yeo7-relabeled", "yeo-relabeled" or "relabeled-yeo" => "yeo7-relabeled", "ho" or "harvard-oxford-cort" => "harvard-oxford", _ => n };
        return All.FirstOrDefault(a => a.Name == n);
    }

    /// <summary>
    /// The Yeo 2011 networks by number, in the names Schaefer 2018 uses (Schaefer's parcel colours are the Yeo
    /// colours, which is how the 17-network order was matched).
    /// </summary>
    public static IReadOnlyList<string> Yeo7Networks { get; } = ["Vis", "SomMot", "DorsAttn", "SalVentAttn", "Limbic", "Cont", "Default"];

    /// <inheritdoc cref="Yeo7Networks"/>
    public static IReadOnlyList<string> Yeo17Networks { get; } =
        ["VisCent", "VisPeri", "SomMotA", "SomMotB", "DorsAttnA", "DorsAttnB", "SalVentAttnA", "SalVentAttnB",
         "LimbicA", "LimbicB", "ContC", "ContA", "ContB", "TempPar", "DefaultC", "DefaultA", "DefaultB"];
}
