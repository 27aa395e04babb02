/**
 * Widget icons: ChatKit's named icons (§4.2) mapped to Lucide icons bundled with the app, and
 * `lucide:<name>` for any Lucide icon, loaded on first use from a separate chunk (the full set
 * is large). Vendor and unknown names show a neutral dashed circle. Icons are decorative
 * (`aria-hidden`): the text beside them carries the meaning.
 */
import { lazy, Suspense, type CSSProperties } from "react";
import {
  AwardIcon,
  AtomIcon,
  BookIcon,
  BookMarkedIcon,
  BookOpenIcon,
  BotIcon,
  BoxIcon,
  BriefcaseIcon,
  BugIcon,
  CalendarIcon,
  ChartColumnIcon,
  ChartLineIcon,
  CheckIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  CircleCheckIcon,
  CircleDashedIcon,
  CircleIcon,
  CircleQuestionMarkIcon,
  CircleUserIcon,
  ClockIcon,
  CompassIcon,
  ContactIcon,
  DotIcon,
  EllipsisIcon,
  EllipsisVerticalIcon,
  ExternalLinkIcon,
  FileIcon,
  FileTextIcon,
  FlaskConicalIcon,
  GlobeIcon,
  IdCardIcon,
  ImageIcon,
  ImagesIcon,
  InfoIcon,
  KeyRoundIcon,
  LayersIcon,
  LifeBuoyIcon,
  LightbulbIcon,
  MailIcon,
  MapIcon,
  MapPinIcon,
  MonitorIcon,
  NotebookIcon,
  NotebookPenIcon,
  PartyPopperIcon,
  PenLineIcon,
  PencilLineIcon,
  PhoneIcon,
  PlayIcon,
  PlusIcon,
  RefreshCwIcon,
  SearchIcon,
  SlidersHorizontalIcon,
  SmartphoneIcon,
  SparkleIcon,
  SparklesIcon,
  SquareCodeIcon,
  SquarePenIcon,
  SquareTextIcon,
  StarIcon,
  UserIcon,
  ZapIcon,
  type LucideIcon,
} from "lucide-react";

import { cls } from "../style";

/** ChatKit's icon names → Lucide icons. */
export const BUILTIN_ICONS: Readonly<Record<string, LucideIcon>> = {
  agent: BotIcon,
  analytics: ChartLineIcon,
  atom: AtomIcon,
  batch: LayersIcon,
  bolt: ZapIcon,
  "book-open": BookOpenIcon,
  "book-closed": BookIcon,
  "book-clock": BookMarkedIcon,
  bug: BugIcon,
  calendar: CalendarIcon,
  chart: ChartColumnIcon,
  check: CheckIcon,
  "check-circle": CircleCheckIcon,
  "check-circle-filled": CircleCheckIcon,
  "chevron-left": ChevronLeftIcon,
  "chevron-right": ChevronRightIcon,
  "circle-question": CircleQuestionMarkIcon,
  clock: ClockIcon,
  compass: CompassIcon,
  confetti: PartyPopperIcon,
  cube: BoxIcon,
  desktop: MonitorIcon,
  document: FileTextIcon,
  dot: DotIcon,
  "dots-horizontal": EllipsisIcon,
  "dots-vertical": EllipsisVerticalIcon,
  "empty-circle": CircleIcon,
  "external-link": ExternalLinkIcon,
  globe: GlobeIcon,
  keys: KeyRoundIcon,
  lab: FlaskConicalIcon,
  images: ImagesIcon,
  info: InfoIcon,
  lifesaver: LifeBuoyIcon,
  lightbulb: LightbulbIcon,
  mail: MailIcon,
  "map-pin": MapPinIcon,
  maps: MapIcon,
  mobile: SmartphoneIcon,
  name: IdCardIcon,
  notebook: NotebookIcon,
  "notebook-pencil": NotebookPenIcon,
  "page-blank": FileIcon,
  phone: PhoneIcon,
  play: PlayIcon,
  plus: PlusIcon,
  profile: CircleUserIcon,
  "profile-card": ContactIcon,
  reload: RefreshCwIcon,
  star: StarIcon,
  "star-filled": StarIcon,
  search: SearchIcon,
  sparkle: SparkleIcon,
  "sparkle-double": SparklesIcon,
  "square-code": SquareCodeIcon,
  "square-image": ImageIcon,
  "square-text": SquareTextIcon,
  suitcase: BriefcaseIcon,
  "settings-slider": SlidersHorizontalIcon,
  user: UserIcon,
  wreath: AwardIcon,
  write: PenLineIcon,
  "write-alt": SquarePenIcon,
  "write-alt2": PencilLineIcon,
};

/** Filled variants: the shape filled with the icon colour, inner strokes knocked out. */
const FILLED: ReadonlySet<string> = new Set(["check-circle-filled", "star-filled"]);

const LucideByName = lazy(() => import("./LucideByName"));

const ICON_SIZES: Record<string, number> = { xs: 12, sm: 14, md: 16, lg: 20, xl: 24, "2xl": 32, "3xl": 40 };

/** An `IconSize` (or `Button.iconSize`) token in px; `fallback` for anything else. */
export function iconSizePx(size: unknown, fallback = 16): number {
  return (typeof size === "string" ? ICON_SIZES[size] : undefined) ?? fallback;
}

export function WidgetIcon({
  name,
  size,
  color,
  className,
}: {
  name: string;
  size: number;
  color?: string;
  className?: string;
}) {
  const props = {
    size,
    className: cls("ck-icon", FILLED.has(name) && "ck-icon-filled", className),
    style: color ? ({ color } satisfies CSSProperties) : undefined,
    "aria-hidden": true as const,
    "data-icon": name,
  };
  const Builtin = BUILTIN_ICONS[name];
  if (Builtin) return <Builtin {...props} />;
  if (name.startsWith("lucide:") && name.length > "lucide:".length) {
    return (
      <Suspense fallback={<span className="ck-icon" style={{ width: size, height: size }} aria-hidden="true" />}>
        <LucideByName name={name.slice("lucide:".length)} {...props} />
      </Suspense>
    );
  }
  return <CircleDashedIcon {...props} />;
}
