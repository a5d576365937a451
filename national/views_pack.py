"""The quarterly pack pages: the national team's (all forces) and each force's own.

The national pack answers 404 to anyone outside the national team (NationalView). A force's pack
lives under forces/<force_slug>/, where the force middleware has already let in only that force's
people and the national team and scoped the request to that force; its PDFs are looked up by
force as well, so another force's render id is a 404.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django_scopes import scopes_disabled

from .models import AccessLog, PackRender
from .pack import PAGE_LISTED, Quarter, available_quarters, build_pack
from .pack_documents import pack_docx
from .services import request_pack_render
from .views import NationalView

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class PackMixin:
    """Which force (None: all forces) and which quarter; a bad quarter is said, not fatal."""

    def pack_force(self):
        return None

    def url(self, name, **kwargs):
        force = self.pack_force()
        if force is None:
            return reverse(f"national:{name}", kwargs=kwargs)
        return reverse(f"national:force-{name}", kwargs={"force_slug": force.slug, **kwargs})

    def chosen_quarter(self, raw: str):
        """(quarter or None, quarters with data, notes)."""
        force = self.pack_force()
        quarters = available_quarters(force)
        notes = []
        if not quarters:
            return None, [], [_("There is nothing to report yet: no inspection has records here.")]
        today = timezone.localdate()
        current = Quarter.of(today)
        # The default is the last complete quarter (a board reports on a quarter that has ended).
        default = current.previous() if current.previous() >= quarters[0] else current
        if not raw:
            return default, quarters, notes
        quarter = Quarter.parse(raw)
        if quarter is None:
            notes.append(_("“%(raw)s” is not a quarter: write it like 2023-Q1.") % {"raw": raw[:20]})
        elif quarter > current:
            notes.append(_("%(quarter)s has not started yet.") % {"quarter": quarter.short_label})
            quarter = None
        elif quarter < quarters[0]:
            notes.append(_("There is no data before %(first)s.") % {"first": quarters[0].short_label})
            quarter = None
        if quarter is None:
            notes.append(_("This is the pack for %(quarter)s.") % {"quarter": default.short_label})
        return quarter or default, quarters, notes

    def renders(self, quarter):
        force = self.pack_force()
        renders = PackRender.objects.filter(quarter=quarter.param).defer("pdf")
        renders = renders.filter(force=force) if force else renders.filter(force__isnull=True)
        return list(renders[:3])

    def page(self, request):
        quarter, quarters, notes = self.chosen_quarter(request.GET.get("quarter", "").replace("\x00", ""))
        force = self.pack_force()
        # The page lists the first items of each list; the PDF and Word document list them all.
        whole = build_pack(quarter, force) if quarter else None
        pack = whole.on_page() if whole else None
        return TemplateResponse(
            request,
            "national/pack_detail.html",
            {
                "pack": pack,
                "quarters": list(reversed(quarters)),
                "notes": notes,
                "who": force.local_name if force else _("All forces"),
                "page_url": self.url("pack"),
                "docx_url": self.url("pack-docx"),
                "pdf_url": self.url("pack-pdf"),
                "renders": self.renders(quarter) if quarter else [],
                "page_listed": PAGE_LISTED,
                "cut_for_page": pack != whole,
            },
        )

    def docx(self, request):
        quarter, _quarters, _notes = self.chosen_quarter(request.GET.get("quarter", "").replace("\x00", ""))
        if quarter is None:
            raise Http404("Nothing to report.")
        force = self.pack_force()
        response = HttpResponse(pack_docx(build_pack(quarter, force)), content_type=DOCX_TYPE)
        stem = f"{force.slug if force else 'national'}-pack-{quarter.param}"
        response["Content-Disposition"] = f'attachment; filename="{stem}.docx"'
        return response

    def request_pdf(self, request):
        quarter, _quarters, _notes = self.chosen_quarter(request.POST.get("quarter", "").replace("\x00", ""))
        if quarter is None:
            raise Http404("Nothing to report.")
        request_pack_render(
            quarter=quarter, force=self.pack_force(), user=request.user, language=get_language()
        )
        return redirect(f"{self.url('pack')}?quarter={quarter.param}")

    def download(self, request, pk):
        force = self.pack_force()
        renders = PackRender.objects.filter(status=PackRender.Status.DONE)
        renders = renders.filter(force=force) if force else renders.filter(force__isnull=True)
        render = get_object_or_404(renders, pk=pk)
        response = HttpResponse(bytes(render.pdf), content_type="application/pdf")
        stem = f"{force.slug if force else 'national'}-pack-{render.quarter}"
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return response


class NationalPackView(PackMixin, NationalView):
    action = AccessLog.Action.PACK

    def get(self, request):
        return self.page(request)


class NationalPackDocxView(PackMixin, NationalView):
    action = AccessLog.Action.EXPORT_PACK

    def get(self, request):
        return self.docx(request)


class NationalPackPdfView(PackMixin, NationalView):
    action = AccessLog.Action.EXPORT_PACK

    def post(self, request):
        return self.request_pdf(request)


class NationalPackPdfDownloadView(PackMixin, NationalView):
    action = AccessLog.Action.EXPORT_PACK

    def get(self, request, pk):
        return self.download(request, pk)


class ForcePackMixin(PackMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.force is None or request.force_access is None or not request.force_access.can_read:
            raise Http404("No such force.")
        # Records, updates and responses are read for this force only (the URL's force);
        # PackRender is not tenant-scoped and is filtered by force in each lookup here.
        with scopes_disabled():
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def pack_force(self):
        return self.request.force


class ForcePackView(ForcePackMixin, View):
    def get(self, request, force_slug):
        return self.page(request)


class ForcePackDocxView(ForcePackMixin, View):
    def get(self, request, force_slug):
        return self.docx(request)


class ForcePackPdfView(ForcePackMixin, View):
    def post(self, request, force_slug):
        return self.request_pdf(request)


class ForcePackPdfDownloadView(ForcePackMixin, View):
    def get(self, request, force_slug, pk):
        return self.download(request, pk)
