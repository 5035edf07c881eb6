"""Routes for invoices and credit memos: an order's documents, and one document as JSON or, with
`Accept: application/pdf`, as the PDF rendered from its snapshot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from baton.adapters.documents import pdf
from baton.entrypoints.http.auth import allow
from baton.entrypoints.http.deps import ContainerDep
from baton.entrypoints.http.invoice_schemas import DocumentList, DocumentOut
from baton.entrypoints.http.problems import guarded
from baton.identity.permissions import Action
from baton.invoicing import services
from baton.invoicing.model import Document, DocumentKind
from baton.shared.actor import Actor

router = APIRouter(prefix="/api/v1", tags=["invoices"])
Reader = Annotated[Actor, allow(Action.INVOICES_READ)]
OrderId = Annotated[str | None, Query(max_length=40, description="Only the documents of this order.")]
Limit = Annotated[int, Query(ge=1, le=200)]
DocumentId = Annotated[str, Path(max_length=64)]
PDF = "application/pdf"
AS_PDF: dict[int | str, dict[str, Any]] = {200: {
    "description": "The document as JSON, or as a PDF when `Accept` prefers `application/pdf`.",
    "content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/invoices", response_model=DocumentList, responses=guarded(422))
def list_invoices(container: ContainerDep, _actor: Reader, order_id: OrderId = None, limit: Limit = 50,
                  cursor: str | None = None) -> dict:
    """Invoices, oldest first: one per capture (each shipment captures what it ships)."""
    return _page(container, DocumentKind.INVOICE, order_id, limit, cursor)


@router.get("/invoices/{invoice_id}", response_model=DocumentOut, responses={**guarded(404), **AS_PDF})
def get_invoice(invoice_id: DocumentId, request: Request, response: Response, container: ContainerDep,
                _actor: Reader) -> Any:
    """One invoice as issued: JSON, or its PDF with `Accept: application/pdf`."""
    return _answer(request, response, services.get(container.reader(), DocumentKind.INVOICE, invoice_id))


@router.get("/credit-memos", response_model=DocumentList, responses=guarded(422))
def list_credit_memos(container: ContainerDep, _actor: Reader, order_id: OrderId = None, limit: Limit = 50,
                      cursor: str | None = None) -> dict:
    """Credit memos, oldest first: one per refund."""
    return _page(container, DocumentKind.CREDIT_MEMO, order_id, limit, cursor)


@router.get("/credit-memos/{credit_memo_id}", response_model=DocumentOut, responses={**guarded(404), **AS_PDF})
def get_credit_memo(credit_memo_id: DocumentId, request: Request, response: Response, container: ContainerDep,
                    _actor: Reader) -> Any:
    """One credit memo as issued: JSON, or its PDF with `Accept: application/pdf`."""
    return _answer(request, response, services.get(container.reader(), DocumentKind.CREDIT_MEMO, credit_memo_id))


def _page(container: ContainerDep, kind: DocumentKind, order_id: str | None, limit: int,
          cursor: str | None) -> dict:
    found, next_cursor = services.page(container.reader(), kind, order_id, limit, cursor)
    return {"items": [document.view() for document in found], "next_cursor": next_cursor}


def _answer(request: Request, response: Response, document: Document) -> Any:
    if wants_pdf(request.headers.get("accept", "")):
        return Response(pdf.render(document), media_type=PDF, headers={
            "Content-Disposition": f'inline; filename="{document.number}.pdf"', "Vary": "Accept"})
    response.headers["Vary"] = "Accept"
    return document.view()


def wants_pdf(accept: str) -> bool:
    """Whether an Accept header prefers the PDF to JSON (quality values as RFC 9110 has them); ties go to JSON."""
    best = {PDF: 0.0, "json": 0.0}
    for item in accept.split(","):
        media, *params = (part.strip().lower() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        kind = PDF if media == PDF else "json" if media in ("application/json", "application/*", "*/*") else None
        if kind is not None:
            best[kind] = max(best[kind], quality)
    return best[PDF] > best["json"]
