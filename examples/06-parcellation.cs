// Episode 6, "Applying Parcellations to Resting State Data", in C#: dotnet run examples/06-parcellation.cs
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Plotting;

var lesson = LessonExample.Start(args);

// datasets.fetch_atlas_yeo_2011(): bundled, nothing to download.
var atlasYeo2011 = Atlas.FetchYeo2011();
Console.WriteLine($"atlas_yeo_2011.keys(): {string.Join(", ", atlasYeo2011.Keys)}");
var mni = Templates.Load("mni152");   // plot_roi's default background
foreach (var key in new[] { "thin_7", "thin_17", "thick_7", "thick_17" })
    BrainPlot.Roi(atlasYeo2011[key].Image, mni, options: new() { CutCoords = (8, -4, 9), Colorbar = true, ColorMap = ColorMap.Paired, Title = key })
        .Save(lesson.Output($"{key}.png"));
var atlasYeo = atlasYeo2011["thick_7"];

// Spatial separation of the networks: connected_label_regions.
var regionLabels = atlasYeo.ConnectedLabelRegions();
Console.WriteLine($"thick_7: {atlasYeo.LabelsPresent.Count} networks → {regionLabels.LabelsPresent.Count} connected regions");
BrainPlot.Roi(regionLabels.Image, mni, options: new()
{
    DisplayMode = DisplayMode.Z, Cuts = [-20, -10, 0, 10, 20, 30, 40, 50, 60, 70], Colorbar = true, ColorMap = ColorMap.Paired,
    Title = "Relabeled Yeo Atlas", PanelHeight = 150,
}).Save(lesson.Output("yeo_sep.png"));
regionLabels.Save(lesson.Output("relabeled_yeo_atlas.nii.gz"));   // region_labels.to_filename(...)

// Resampling exercise: the atlas onto the functional grid, with nearest-neighbour interpolation.
var funcFile = Path.Combine(lesson.FmriprepDir, "sub-10788/func/sub-10788_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz");
var funcImg = Image.Load(funcFile);
Console.WriteLine($"Size of functional image: {funcImg.ShapeText()}");
Console.WriteLine($"Size of atlas image: {regionLabels.Image.ShapeText()}");
var resampledYeo = Resampling.ResampleToImage(regionLabels.Image, funcImg, Interpolation.Nearest);
Console.WriteLine($"Size of resampled atlas: {resampledYeo.ShapeText()}");
BrainPlot.Roi(resampledYeo, funcImg.Slicer[.., .., .., 54], options: new() { Colorbar = false, BlackBackground = true })
    .Save(lesson.Output("resampled_yeo.png"));

// Exercise: ROIs 44 and 46.
var roiMask44 = ImageMath.Evaluate("a == 44", ("a", resampledYeo));
BrainPlot.Roi(roiMask44, mni, options: new() { Colorbar = false }).Save(lesson.Output("roi_44.png"));
var roiMask46 = ImageMath.Evaluate("a == 46", ("a", resampledYeo));
BrainPlot.Roi(roiMask46, mni, options: new() { Colorbar = false }).Save(lesson.Output("roi_46.png"));
